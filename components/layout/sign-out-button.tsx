"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/lib/api-fetch";

export function SignOutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      className="shrink-0 rounded-md px-2 py-1 text-sm whitespace-nowrap text-slate-300 hover:bg-slate-800 hover:text-white"
      onClick={async () => {
        setPending(true);
        await apiFetch("/api/auth/sign-out", { method: "POST" }).catch(() => undefined);
        router.replace("/login");
        router.refresh();
      }}
    >
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
