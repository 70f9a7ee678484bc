import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { OidcSignInButton } from "@/components/auth/oidc-sign-in-button";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentPrincipal } from "@/lib/auth/current-user";
import { oidcDisplayName } from "@/lib/auth/oidc-client";

export const metadata: Metadata = { title: "Sign in" };

/** Messages per refusal reason; the provider's own error text is never echoed into the page. */
const OIDC_ERRORS: Record<string, string> = {
  "not-configured": "Single sign-on is not configured.",
  "unknown-state": "That sign-in link has expired or was already used. Start again.",
  "provider-error": "The identity provider did not complete the sign-in. Try again or ask an administrator.",
  "missing-email": "The identity provider did not share an email address for your account.",
  "local-account-exists":
    "A local Wharf account already uses your email address, and Wharf does not hand it over to single sign-on. Ask an administrator to remove or rename the local account.",
  "account-disabled": "This account is disabled. Ask an administrator.",
};

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  if (await currentPrincipal()) redirect("/");
  const params = await searchParams;
  const errorCode = typeof params.oidc_error === "string" ? params.oidc_error : null;
  const returnTo = typeof params.returnTo === "string" ? params.returnTo : null;
  const oidcName = oidcDisplayName();
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-900 px-4">
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-2xl">
        <h1 className="text-2xl font-bold tracking-tight">⚓ Wharf</h1>
        <p className="mb-6 mt-1 text-sm text-slate-600">Sign in to deploy, approve and audit.</p>
        {errorCode ? (
          <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
            {OIDC_ERRORS[errorCode] ?? OIDC_ERRORS["provider-error"]}
          </p>
        ) : null}
        {oidcName ? (
          <>
            <OidcSignInButton name={oidcName} returnTo={returnTo} />
            <div className="my-5 flex items-center gap-3 text-xs text-slate-500">
              <span className="h-px flex-1 bg-slate-200" />
              or with a local account (break-glass)
              <span className="h-px flex-1 bg-slate-200" />
            </div>
          </>
        ) : null}
        <SignInForm />
      </div>
    </main>
  );
}
