import { z } from "zod";
import { ZListCursor, ZPageLimit } from "@/lib/keyset-cursor";
import { HEARTBEAT_INTERVAL_MS, STALE_AFTER_MISSED_HEARTBEATS } from "@/lib/agent/protocol";
import { dnsLabel } from "@/lib/targets/schemas";

/**
 * Agent administration schemas and views (dashboard side), shared by route handlers and forms. The wire protocol the
 * agent itself speaks lives in lib/agent/protocol.ts.
 */

/** How long a one-time enrolment token stays usable. */
export const ENROLMENT_TTL_MS = 24 * 3_600_000;

/** Body of `POST /api/agents`: a name (a DNS label, it names Kubernetes objects) and the pull targets it serves. */
export const ZCreateAgent = z.strictObject({
  name: dnsLabel("Enter a name."),
  targetIds: z
    .array(z.string().trim().min(1).max(100), { error: "Choose at least one pull target." })
    .min(1, "Choose at least one pull target.")
    .max(100, "Choose at most 100 targets.")
    .transform((ids) => [...new Set(ids)]),
});
export type TCreateAgent = z.output<typeof ZCreateAgent>;
export type TCreateAgentInput = z.input<typeof ZCreateAgent>;

export const AGENT_LIST_LIMIT_DEFAULT = 50;
export const AGENT_LIST_LIMIT_MAX = 200;

const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);

export const ZAgentListQuery = z.object({
  targetId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  cursor: ZListCursor(200, emptyToUndefined),
  limit: ZPageLimit({ max: AGENT_LIST_LIMIT_MAX, default: AGENT_LIST_LIMIT_DEFAULT, noun: "agents" }, emptyToUndefined),
});

export const AGENT_STATES = [
  "awaiting-enrolment",
  "enrolment-expired",
  "online",
  "stale",
  "never-seen",
  "revoked",
] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const ZAgentView = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(AGENT_STATES),
  targets: z.array(z.object({ id: z.string(), name: z.string() })),
  credentialPrefix: z.string().nullable(),
  credentialIssuedAt: z.iso.datetime().nullable(),
  enrolmentExpiresAt: z.iso.datetime().nullable(),
  enrolledAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  version: z.string().nullable(),
  hostname: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type AgentView = z.output<typeof ZAgentView>;

export const ZAgentListPage = z.object({
  agents: z.array(ZAgentView),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last one."),
});
export type AgentListPage = z.output<typeof ZAgentListPage>;

/** The one response that carries a secret: shown once after creation (enrolment token) or rotation (credential). */
export const ZAgentSecretView = z.object({
  agent: ZAgentView,
  secret: z.string().describe("`wharfe_…` (creation) or `wharfa_…` (rotation)."),
  secretKind: z.enum(["enrolment-token", "credential"]),
  snippet: z
    .string()
    .describe("A `kubectl apply -f -` snippet putting the secret and Wharf's URL into the agent's Secret."),
  wharfUrl: z.string(),
});
export type AgentSecretView = z.output<typeof ZAgentSecretView>;

/** When an agent counts as stale: STALE_AFTER_MISSED_HEARTBEATS heartbeat intervals without word from it. */
export const STALE_AFTER_MS = HEARTBEAT_INTERVAL_MS * STALE_AFTER_MISSED_HEARTBEATS;

/**
 * An agent's state for people: revoked, still waiting to enrol (or too late to), never heard from, online, or stale
 * (missed STALE_AFTER_MISSED_HEARTBEATS heartbeats in a row).
 */
export function agentStateOf(
  a: { revokedAt: Date | null; enrolledAt: Date | null; enrolmentExpiresAt: Date | null; lastSeenAt: Date | null },
  now: Date,
  heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS,
): AgentState {
  if (a.revokedAt) return "revoked";
  if (!a.enrolledAt)
    return a.enrolmentExpiresAt && a.enrolmentExpiresAt.getTime() <= now.getTime()
      ? "enrolment-expired"
      : "awaiting-enrolment";
  if (!a.lastSeenAt) return "never-seen";
  return isAgentStale(a.lastSeenAt, now, heartbeatIntervalMs) ? "stale" : "online";
}

/** True once STALE_AFTER_MISSED_HEARTBEATS heartbeats are overdue (lastSeenAt older than that many intervals). */
export function isAgentStale(lastSeenAt: Date | null, now: Date, heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS): boolean {
  if (!lastSeenAt) return true;
  return now.getTime() - lastSeenAt.getTime() > heartbeatIntervalMs * STALE_AFTER_MISSED_HEARTBEATS;
}
