"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ApiError, apiFetch } from "@/lib/api-fetch";

/**
 * "Check now": runs the cluster-admin check (SelfSubjectRulesReview) at once for the credentials in view that were
 * never checked or whose last check failed, one after another, then refreshes the figures. The scope sweeper does
 * the same on its own (soon after a credential is stored or rotated, and periodically); this is for not waiting.
 * Each check decrypts the credential (audited) and calls its cluster.
 */
export function ScopeCheckButton({ credentialIds, lastError }: { credentialIds: string[]; lastError?: string | null }) {
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

  const shownError = errors[0] ?? lastError ?? null;
  return (
    <div className="space-y-1">
      <Button
        size="sm"
        variant="secondary"
        disabled={busy}
        onClick={() => void run()}
        title={`Check ${credentialIds.length} credential${credentialIds.length === 1 ? "" : "s"} for cluster-admin now`}
      >
        {busy ? `Checking ${done}/${credentialIds.length}…` : "Check now"}
      </Button>
      {shownError ? (
        <p role={errors.length > 0 ? "alert" : undefined} className="text-xs text-amber-800">
          {errors.length > 0 ? `${errors.length} check${errors.length === 1 ? "" : "s"} failed: ` : "Last failure: "}
          {shownError}
        </p>
      ) : null}
    </div>
  );
}
