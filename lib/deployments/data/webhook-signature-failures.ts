import "server-only";
import { FLOOD_WINDOW_MS, recordCappedAuditEvent } from "@/lib/audit/data/record-capped-audit-event";
import type { AuditEntry } from "@/lib/audit/schemas";
import { AppError } from "@/lib/errors";

/** Failed signatures audited one by one per source address a minute; beyond that the source gets 429. */
export const WEBHOOK_FAILURES_PER_SOURCE = 10;
/** Failed signatures audited one by one a minute overall; beyond that they are counted into a summary row. */
const WEBHOOK_FAILURES_GLOBAL = 60;

/**
 * Audits a delivery whose signature did not verify (`webhook.rejected`) through the audit trail's flood valve, and
 * returns the error to answer with: 401 WEBHOOK_SIGNATURE_INVALID, or 429 RATE_LIMITED once the source address has
 * failed ten times within a minute (its further failures are counted into the minute's summary row, as are all
 * failures beyond sixty a minute). Only failures are limited: a correctly signed delivery is always processed,
 * because GitHub's and GitLab's senders share their addresses among all their customers.
 */
export async function recordWebhookSignatureFailure(
  entry: AuditEntry & { actor: { name: string } },
): Promise<AppError> {
  const ip = entry.request?.ip ?? null;
  const actorName = entry.actor.name;
  const outcome = await recordCappedAuditEvent({
    entry,
    caps: [
      { match: { actorName, ip }, max: WEBHOOK_FAILURES_PER_SOURCE },
      { match: { actorName }, max: WEBHOOK_FAILURES_GLOBAL },
    ],
  });
  if (!outcome.recorded && outcome.cap === 0) {
    const retryAfter = String(FLOOD_WINDOW_MS / 1000);
    return new AppError(
      "RATE_LIMITED",
      "Too many deliveries with a wrong signature from this address; try again in a minute.",
      { headers: { "Retry-After": retryAfter } },
    );
  }
  return new AppError(
    "WEBHOOK_SIGNATURE_INVALID",
    "The webhook signature is missing or does not match any binding of this repository.",
  );
}
