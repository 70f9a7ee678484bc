import { z } from "zod";
import { ZDrift, ZLiveHealth, ZLiveNode } from "@/lib/agent/protocol";

/** The tree, health and times of a live state, whoever read it. */
const liveTreeFields = {
  health: ZLiveHealth,
  roots: z.array(ZLiveNode),
  nodeCount: z.number().int(),
  /** True when the tree's bounds left owned objects out (each node says how many in omittedChildren). */
  truncated: z.boolean(),
  /** When the cluster was read for this state. */
  observedAt: z.string(),
  /** When Wharf first had this state (it does not move while re-reads find the same). */
  receivedAt: z.string(),
  /** When a re-read last confirmed this state unchanged. */
  confirmedAt: z.string(),
};

/**
 * `GET /api/applications/:id/live`: where the application's live state comes from and what it is. Pull: the tree its
 * agent last reported (`source: "agent"`; `reported: false` until the first report). Push: the tree Wharf read from
 * the cluster with the target's credential (`source: "push"`; each read an audited credential use, at most one per
 * PUSH_STATUS_MIN_INTERVAL_MS however many look), or `source: "none"` with why nothing can be read (never deployed,
 * no credential).
 */
export const ZApplicationLive = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("none"),
    mode: z.literal("push"),
    message: z.string(),
  }),
  z.object({
    source: z.literal("agent"),
    mode: z.literal("pull"),
    reported: z.literal(false),
    message: z.string(),
  }),
  z.object({
    source: z.literal("agent"),
    mode: z.literal("pull"),
    reported: z.literal(true),
    agentId: z.string(),
    /** The reporting agent's name (null when it was removed since). */
    agentName: z.string().nullable(),
    /** The revision id applied when the agent read the cluster; null before its first successful sync. */
    revisionId: z.string().nullable(),
    ...liveTreeFields,
  }),
  z.object({
    source: z.literal("push"),
    mode: z.literal("push"),
    /** The credential the cluster was read with, and its label then. */
    credentialId: z.string().nullable(),
    credentialLabel: z.string().nullable(),
    /** The deployment whose objects were read (the application's last succeeded one). */
    revisionId: z.string().nullable(),
    ...liveTreeFields,
    /** Why the last read failed (the tree is then the one read before it, if any); null when it succeeded. */
    readError: z.string().nullable(),
    /** When Wharf last tried to read the cluster. */
    readAttemptAt: z.string().nullable(),
    /**
     * What differs between the cluster and the deployment's manifests (the pull agent's drift comparison): objects
     * with their differing field paths, none when in sync; null when it could not be checked.
     */
    drift: ZDrift.nullable(),
  }),
]);
export type ApplicationLive = z.infer<typeof ZApplicationLive>;
