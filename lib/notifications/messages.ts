import { formatDateTime } from "@/lib/format/date";
import type { NotificationBody, TDeliveryEvent } from "./schemas";

/** What a rotation notification says about a credential (never its material). */
export interface RotationNotice {
  credentialId: string;
  targetId: string;
  targetName: string;
  fingerprint: string;
  expiresAt: string | null;
  /** When rotation is due (rotation.due / rotation.overdue). */
  dueAt?: string | null;
  /** rotation.failed: the API server's message, the attempt count and the next retry. */
  error?: string;
  attempts?: number;
  nextAttemptAt?: string | null;
}

export interface ApprovalNotice {
  deploymentId: string;
  targetId: string;
  targetName: string;
  requestedBy: string;
  reason: string;
  requiredApprovals: number;
}

export type NotificationInput =
  | { event: "rotation.due" | "rotation.overdue" | "rotation.failed"; data: RotationNotice }
  | { event: "deployment.awaiting-approval"; data: ApprovalNotice }
  | { event: "test"; data: { sinkId: string; sinkName: string } };

// Slack mrkdwn needs &, < and > escaped in text that is not a link.
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function when(iso: string | null | undefined): string {
  return formatDateTime(iso, { empty: "never" });
}

function link(url: string, label: string): string {
  return `<${url}|${esc(label)}>`;
}

/**
 * The body posted to a sink. `text` reads well on its own (Slack uses it for notifications and as the fallback),
 * `blocks` render it richer in Slack, and `wharf` carries the event's fields for machines.
 */
export function notificationBody(input: NotificationInput, publicUrl: string): NotificationBody {
  let text: string;
  switch (input.event) {
    case "rotation.due": {
      const d = input.data;
      text = `Credential of ${link(`${publicUrl}/targets/${d.targetId}`, d.targetName)} (${d.fingerprint}) is due for rotation at ${when(d.dueAt)}.`;
      break;
    }
    case "rotation.overdue": {
      const d = input.data;
      const expired = d.expiresAt !== null && Date.parse(d.expiresAt) <= Date.now();
      text = expired
        ? `Credential of ${link(`${publicUrl}/targets/${d.targetId}`, d.targetName)} (${d.fingerprint}) expired at ${when(d.expiresAt)}: deployments to it will fail until it is replaced.`
        : `Credential of ${link(`${publicUrl}/targets/${d.targetId}`, d.targetName)} (${d.fingerprint}) is overdue for rotation (due ${when(d.dueAt)}).`;
      break;
    }
    case "rotation.failed": {
      const d = input.data;
      text =
        `Automatic rotation of the credential of ${link(`${publicUrl}/targets/${d.targetId}`, d.targetName)} (${d.fingerprint}) failed: ${esc(d.error ?? "unknown error")}. ` +
        `The current credential stays in use (expires ${when(d.expiresAt)}); next attempt ${when(d.nextAttemptAt)}.`;
      break;
    }
    case "deployment.awaiting-approval": {
      const d = input.data;
      text =
        `${link(`${publicUrl}/deployments/${d.deploymentId}`, "Deployment")} to ${esc(d.targetName)} awaits approval ` +
        `(${d.requiredApprovals} required), requested by ${esc(d.requestedBy)}${d.reason ? `: ${esc(d.reason)}` : "."}`;
      break;
    }
    case "test":
      text = `Test notification from Wharf to sink "${esc(input.data.sinkName)}". If you can read this, the sink works.`;
      break;
  }
  const event: TDeliveryEvent = input.event;
  return {
    text,
    blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
    wharf: { event, ...input.data },
  };
}
