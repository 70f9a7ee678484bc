import { z } from "zod";
import { ZLiveHealth, ZLiveNode } from "@/lib/agent/protocol";

/**
 * `GET /api/applications/:id/live`: where the application's live state comes from and what it is. Pull: the tree its
 * agent last reported (`source: "agent"`; `reported: false` until the first report). Push: `source: "none"` for now —
 * the dashboard reads a push target's cluster only with its credential, audited per use (issue 15 Must 2, push half).
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
    /** The revision id applied when the agent read the cluster; null before its first successful sync. */
    revisionId: z.string().nullable(),
    health: ZLiveHealth,
    roots: z.array(ZLiveNode),
    nodeCount: z.number().int(),
    /** True when the tree's bounds left owned objects out (each node says how many in omittedChildren). */
    truncated: z.boolean(),
    /** When the agent read the cluster for this state. */
    observedAt: z.string(),
    /** When Wharf received this state (it does not move when the agent sends the same state again). */
    receivedAt: z.string(),
    /** When the agent last confirmed this state unchanged. */
    confirmedAt: z.string(),
  }),
]);
export type ApplicationLive = z.infer<typeof ZApplicationLive>;
