"use client";

import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/api-fetch";
import { useVerifyAuditChain } from "@/lib/audit/hooks/use-verify-audit-chain";
import { DateTime } from "@/components/ui/date-time";

/** "Verify chain": walks the whole hash chain on the server and shows "Intact — N rows" or the first broken link. */
export function VerifyChainPanel() {
  const verify = useVerifyAuditChain();
  const verdict = verify.data;
  return (
    <div className="flex flex-wrap items-center gap-3">
      <Button variant="secondary" onClick={() => verify.mutate()} disabled={verify.isPending}>
        {verify.isPending ? "Verifying…" : "Verify chain"}
      </Button>
      <div aria-live="polite" className="text-sm">
        {verify.isError ? (
          <span role="alert" className="text-red-600">
            {verify.error instanceof ApiError ? verify.error.message : "Verification could not run."}
          </span>
        ) : verdict?.intact ? (
          <span data-testid="chain-verdict" className="font-medium text-emerald-700">
            Intact — {verdict.rows.toLocaleString("en-US")} rows
          </span>
        ) : verdict ? (
          <span
            data-testid="chain-verdict"
            role="alert"
            className="block rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800"
          >
            <span className="font-semibold">Broken at seq {verdict.brokenAt.seq}</span> (id{" "}
            <code className="font-mono text-xs">{verdict.brokenAt.id}</code>, <DateTime value={verdict.brokenAt.at} />
            ): {verdict.brokenAt.reason}. {Math.max(0, verdict.rows - 1).toLocaleString("en-US")} rows before it
            verified.
          </span>
        ) : null}
      </div>
    </div>
  );
}
