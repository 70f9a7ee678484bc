import Link from "next/link";

export default function ForbiddenPage() {
  return (
    <main className="mx-auto max-w-md px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold">Not for your role</h1>
      <p className="mt-2 text-slate-600">
        Your role does not allow this page. Ask an administrator if you need access.
      </p>
      <Link href="/" className="mt-6 inline-block text-brand-600 underline">
        Back to the overview
      </Link>
    </main>
  );
}
