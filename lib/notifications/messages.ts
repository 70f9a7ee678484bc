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
  /** Set when the request promotes an application's live revision from the previous environment. */
  promotion?: PromotionNotice;
}

/**
 * What a promotion's awaiting-approval notice adds: the application (linked: `linkPath` is its page, relative to
 * Wharf's public URL) and the environments it moves between.
 */
export interface PromotionNotice {
  linkPath: string;
  applicationId: string;
  applicationName: string;
  fromTargetName: string;
  fromEnvironment: string;
  toEnvironment: string;
  /** The revision promoted: its commit SHA (or pull revision id; the manifests digest for pasted manifests). */
  revision: string | null;
}

/** The promotion notice of a request made on `destination` with what is live of its namesake on `from`. */
export function promotionNotice(opts: {
  destination: { id: string; target: { environment: string } };
  name: string;
  from: { name: string; environment: string };
  revision: string | null;
}): PromotionNotice {
  return {
    linkPath: `/applications/${opts.destination.id}`,
    applicationId: opts.destination.id,
    applicationName: opts.name,
    fromTargetName: opts.from.name,
    fromEnvironment: opts.from.environment,
    toEnvironment: opts.destination.target.environment,
    revision: opts.revision,
  };
}

/**
 * What a delivery notice (deployment.*, sync.failed, drift.detected) says: where it happened, which revision, and
 * one link — the application's page when there is an application, else the deployment's page or the repository's
 * sync history. `linkPath` is relative to Wharf's public URL; the body carries the absolute `url`.
 */
export interface DeliveryNotice {
  linkPath: string;
  applicationId: string | null;
  applicationName: string | null;
  targetId: string;
  targetName: string;
  environment: string;
  /** The commit SHA; without one, the pull revision id or (manifests) the manifests digest. */
  revision: string | null;
  /** The outcome in the deployment's or agent's words (the API server's message for a failure). */
  message: string;
}

export interface DeploymentNotice extends DeliveryNotice {
  deploymentId: string;
  mode: "push" | "pull";
  requestedBy: string;
}

export interface SyncNotice extends DeliveryNotice {
  /** The event it announces: a pull SyncEvent, or (drift.detected of a push application) a PushDriftEvent. */
  syncEventId: string;
  /** pull: the agent reported it; push: a status read with the target's credential found it (drift.detected only). */
  mode: "push" | "pull";
  /** The pull repository; null for push. */
  repoId: string | null;
  repoUrl: string | null;
  branch: string | null;
  occurredAt: string;
  /** drift.detected: the drifted objects (`Kind namespace/name`) and their fields, as the agent reported them. */
  drift?: { object: string; fields: string[] }[];
}

export interface HealthNotice extends DeliveryNotice {
  /** The first Degraded objects of the tree (`Kind namespace/name`) with their reasons. */
  degraded: { object: string; message: string }[];
}

export interface AgentNotice {
  linkPath: string;
  agentId: string;
  agentName: string;
  lastSeenAt: string;
  /** The pull targets it serves: nothing on them syncs while it is silent. */
  targets: { id: string; name: string; environment: string }[];
}

export type NotificationInput =
  | { event: "rotation.due" | "rotation.overdue" | "rotation.failed"; data: RotationNotice }
  | { event: "deployment.awaiting-approval"; data: ApprovalNotice }
  | { event: "deployment.failed" | "deployment.succeeded"; data: DeploymentNotice }
  | { event: "sync.failed" | "drift.detected"; data: SyncNotice }
  | { event: "agent.stale"; data: AgentNotice }
  | { event: "health.degraded"; data: HealthNotice }
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

function shortRevision(revision: string | null): string {
  if (!revision) return "";
  // A 40-hex commit SHA reads as its first 12 characters; a pull revision id (`<sha>[+images]@<digest>`) likewise.
  return /^[0-9a-f]{40}/.test(revision) ? revision.slice(0, 12) : revision.slice(0, 40);
}

/** "storefront on shop-prod (prod) at 1a2b3c4d5e6f": what a delivery notice is about, linked. */
function subject(d: DeliveryNotice, publicUrl: string, fallback: string): string {
  const what = link(`${publicUrl}${d.linkPath}`, d.applicationName ?? fallback);
  const rev = shortRevision(d.revision);
  return `${what} on ${esc(d.targetName)} (${esc(d.environment)})${rev ? ` at ${esc(rev)}` : ""}`;
}

function withMessage(text: string, message: string): string {
  return message ? `${text}: ${esc(message)}` : `${text}.`;
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
      const p = d.promotion;
      const rev = p ? shortRevision(p.revision) : "";
      text = p
        ? `Promotion of ${link(`${publicUrl}${p.linkPath}`, p.applicationName)} from ${esc(p.fromEnvironment)} to ` +
          `${esc(p.toEnvironment)} awaiting approval${rev ? ` (${esc(rev)})` : ""}: from ${esc(p.fromTargetName)} to ` +
          `${esc(d.targetName)}, ${d.requiredApprovals} approval${d.requiredApprovals === 1 ? "" : "s"} required, ` +
          `requested by ${esc(d.requestedBy)}. ${link(`${publicUrl}/deployments/${d.deploymentId}`, "Review the request")}`
        : `${link(`${publicUrl}/deployments/${d.deploymentId}`, "Deployment")} to ${esc(d.targetName)} awaits approval ` +
          `(${d.requiredApprovals} required), requested by ${esc(d.requestedBy)}${d.reason ? `: ${esc(d.reason)}` : "."}`;
      break;
    }
    case "deployment.failed":
      text = withMessage(`Deployment of ${subject(input.data, publicUrl, "deployment")} failed`, input.data.message);
      break;
    case "deployment.succeeded":
      text = withMessage(`Deployment of ${subject(input.data, publicUrl, "deployment")} succeeded`, input.data.message);
      break;
    case "sync.failed":
      text =
        withMessage(
          `Sync of ${subject(input.data, publicUrl, input.data.repoUrl ?? "repository")} failed`,
          input.data.message,
        ) + " Further failures are not announced until it syncs again.";
      break;
    case "drift.detected": {
      const d = input.data;
      const objects = d.drift ?? [];
      const named = objects
        .slice(0, 3)
        .map((o) => `${o.object}${o.fields.length ? ` (${o.fields.slice(0, 3).join(", ")})` : ""}`)
        .join("; ");
      text =
        `Drift detected in ${subject(d, publicUrl, d.repoUrl ?? "application")}` +
        (objects.length
          ? `: ${objects.length} object${objects.length === 1 ? "" : "s"} changed in the cluster, ${esc(named)}${objects.length > 3 ? "; …" : ""}.`
          : d.message
            ? `: ${esc(d.message)}`
            : ".");
      break;
    }
    case "health.degraded": {
      const d = input.data;
      const named = d.degraded.map((o) => `${o.object}${o.message ? ` (${o.message})` : ""}`).join("; ");
      text =
        `${subject(d, publicUrl, "Application")} is Degraded${d.message ? `: ${esc(d.message)}` : ""}.` +
        (named ? ` Degraded: ${esc(named)}.` : "");
      break;
    }
    case "agent.stale": {
      const d = input.data;
      const targets = d.targets.map((t) => `${t.name} (${t.environment})`).join(", ");
      text =
        `Agent ${link(`${publicUrl}${d.linkPath}`, d.agentName)} has not reported since ${when(d.lastSeenAt)}` +
        (targets ? `: nothing syncs on ${esc(targets)} until it is back.` : ".");
      break;
    }
    case "test":
      text = `Test notification from Wharf to sink "${esc(input.data.sinkName)}". If you can read this, the sink works.`;
      break;
  }
  const event: TDeliveryEvent = input.event;
  const linkPath =
    "linkPath" in input.data
      ? input.data.linkPath
      : "promotion" in input.data
        ? input.data.promotion?.linkPath
        : undefined;
  const url = linkPath ? { url: `${publicUrl}${linkPath}` } : {};
  return {
    text,
    blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
    wharf: { event, ...input.data, ...url },
  };
}
