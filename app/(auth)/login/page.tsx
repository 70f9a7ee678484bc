import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentPrincipal } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  if (await currentPrincipal()) redirect("/");
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-900 px-4">
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-2xl">
        <h1 className="text-2xl font-bold tracking-tight">⚓ Wharf</h1>
        <p className="mb-6 mt-1 text-sm text-slate-600">Sign in to deploy, approve and audit.</p>
        <SignInForm />
      </div>
    </main>
  );
}
