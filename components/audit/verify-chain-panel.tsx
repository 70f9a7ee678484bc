"use client";

import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/api-fetch";
import { useVerifyAuditChain } from "@/lib/audit/hooks/use-verify-audit-chain";
import { DateTime } from "@/components/ui/date-time";
import { formatNumber } from "@/lib/format/number";

/**
 * "Verify chain": walks the whole keyed hash chain on the server, against the signed checkpoints, and shows "Intact —
 * N rows" or the first problem, and what it checked against.
 */
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
            Intact — {formatNumber(verdict.rows)} rows
          </span>
        ) : verdict ? (
          <span
            data-testid="chain-verdict"
            role="alert"
            className="block rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800"
          >
            <span className="font-semibold">
              Broken{verdict.brokenAt.seq !== null ? ` at seq ${verdict.brokenAt.seq}` : ""}
            </span>
            {verdict.brokenAt.id && verdict.brokenAt.at ? (
              <>
                {" "}
                (id <code className="font-mono text-xs">{verdict.brokenAt.id}</code>,{" "}
                <DateTime value={verdict.brokenAt.at} />)
              </>
            ) : null}
            : {verdict.brokenAt.reason}.{" "}
            {verdict.brokenAt.id
              ? `${formatNumber(Math.max(0, verdict.rows - 1))} rows before it verified.`
              : `${formatNumber(verdict.rows)} rows verified.`}
          </span>
        ) : null}
        {verdict ? (
          <span data-testid="chain-checked" className="block text-xs text-slate-500">
            Checked {formatNumber(verdict.checked.keyedRows)} keyed rows
            {verdict.checked.firstKeyedSeq !== null ? ` (from seq ${verdict.checked.firstKeyedSeq})` : ""} against{" "}
            {formatNumber(verdict.checked.checkpoints.valid)} signed checkpoints
            {verdict.checked.checkpoints.last ? (
              <>
                , the last at seq {verdict.checked.checkpoints.last.seq} (
                <DateTime value={verdict.checked.checkpoints.last.at} />)
              </>
            ) : null}
            .
          </span>
        ) : null}
      </div>
    </div>
  );
}
