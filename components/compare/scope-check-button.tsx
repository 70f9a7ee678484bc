"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ApiError, apiFetch } from "@/lib/api/client";

/**
 * Runs the cluster-admin check (SelfSubjectRulesReview) for credentials never checked, one after another, then
 * refreshes the page's figures. Each check decrypts the credential (audited) and calls its cluster.
 */
export function ScopeCheckButton({ credentialIds }: { credentialIds: string[] }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(0);
  const [errors, setErrors] = useState<string[]>([]);
  if (credentialIds.length === 0) return null;

  async function run() {
    setBusy(true);
    setErrors([]);
    setDone(0);
    const failed: string[] = [];
    for (const id of credentialIds) {
      try {
        await apiFetch(`/api/credentials/${encodeURIComponent(id)}/scope-check`, { method: "POST" });
      } catch (err) {
        failed.push(err instanceof ApiError ? err.message : String(err));
      }
      setDone((n) => n + 1);
    }
    setErrors(failed);
    setBusy(false);
    router.refresh();
  }

  return (
    <div className="space-y-1">
      <Button size="sm" variant="secondary" disabled={busy} onClick={() => void run()}>
        {busy ? `Checking ${done}/${credentialIds.length}…` : `Check ${credentialIds.length} credential${credentialIds.length === 1 ? "" : "s"} for cluster-admin`}
      </Button>
      {errors.length > 0 ? (
        <p role="alert" className="text-xs text-red-700">
          {errors.length} check{errors.length === 1 ? "" : "s"} failed: {errors[0]}
        </p>
      ) : null}
    </div>
  );
}
