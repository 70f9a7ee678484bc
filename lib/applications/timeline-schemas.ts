import { z } from "zod";
import { ZDeploymentPreview } from "@/lib/deployments/schemas";
import { ZListCursor, ZPageLimit } from "@/lib/keyset-cursor";

/**
 * One timeline per application (issue 15, Must 3): its deployments, rollbacks, approval decisions, syncs, drift and
 * pins, newest first, without a cap (cursor pages). Plain module: shared by the route, the page and the hooks.
 */

export const TIMELINE_LIMIT_DEFAULT = 25;
export const TIMELINE_LIMIT_MAX = 100;

/** Query of `GET /api/applications/:id/timeline`. */
export const ZTimelineQuery = z.object({
  cursor: ZListCursor(400),
  limit: ZPageLimit({ max: TIMELINE_LIMIT_MAX, default: TIMELINE_LIMIT_DEFAULT, noun: "entries" }),
});
export type TTimelineQuery = z.output<typeof ZTimelineQuery>;

export const TIMELINE_KINDS = ["deployment", "rollback", "approval", "sync", "drift", "pin"] as const;
export const ZTimelineKind = z.enum(TIMELINE_KINDS);
export type TTimelineKind = z.infer<typeof ZTimelineKind>;

/** What a rollback from this entry would do: request that deployment's manifests again (push) or pin that revision (pull). */
export const ZTimelineRollback = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("push"),
    deploymentId: z.string().describe("POST /api/deployments/{deploymentId}/rollback requests it again."),
  }),
  z.object({
    mode: z.literal("pull"),
    repoId: z.string(),
    revision: z.string().describe("POST /api/repos/{repoId}/pin with this revision pins it."),
  }),
]);
export type TimelineRollback = z.output<typeof ZTimelineRollback>;

export const ZTimelineEntry = z.object({
  id: z.string().describe("Unique in the timeline: the source and its row id."),
  kind: ZTimelineKind,
  at: z.iso.datetime().describe("When it happened: requested, decided, synced or pinned."),
  title: z.string().describe("What happened, in words."),
  actor: z
    .string()
    .nullable()
    .describe(
      "Who did it, as recorded at the time (null for the agent's syncs); for push drift, the field managers that changed the drifted values.",
    ),
  status: z
    .string()
    .nullable()
    .describe(
      "The deployment's state now, the sync's result (push drift: drift-detected) or the approval's decision; null for pins.",
    ),
  detail: z
    .string()
    .describe(
      "The reason, the comment or the agent's message; for push drift each drifted field as applied → live with its manager, e.g. `Deployment shop/web: spec.replicas 2 → 5 (kubectl-edit)`. May be empty.",
    ),
  revision: z
    .object({ commit: z.string().nullable(), id: z.string().nullable(), message: z.string().nullable() })
    .nullable()
    .describe("The commit (and, for pull, the revision id) it deployed or synced, when known."),
  deploymentId: z.string().nullable().describe("The deployment (or pull revision request) the entry is about."),
  href: z.string().nullable().describe("The dashboard page of the deployment or sync history."),
  live: z.boolean().describe("What the application runs now: the live deployment (push) or applied revision (pull)."),
  rollback: ZTimelineRollback.nullable().describe(
    "Set on an earlier succeeded deployment (push) or synced revision (pull) that is not the live one.",
  ),
});
export type TimelineEntry = z.output<typeof ZTimelineEntry>;

export const ZTimelinePage = z.object({
  items: z.array(ZTimelineEntry),
  nextCursor: z.string().nullable(),
});
export type TimelinePage = z.output<typeof ZTimelinePage>;

/** Query of `GET /api/applications/:id/rollback`: the earlier deployment a push rollback would request again. */
export const ZRollbackPlanQuery = z.object({
  deploymentId: z.string().trim().min(1, "Name the deployment to roll back to.").max(100),
});

const ZRollbackSide = z.object({
  deploymentId: z.string(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  digest: z.string().describe("The manifests digest approvals name: the rollback request has the same."),
  objectCount: z.number().int(),
  commitSha: z.string().nullable(),
  commitMessage: z.string().nullable(),
  requestedBy: z.string(),
});

/** What a push rollback would change, for its confirmation: from the live deployment to the chosen one, and the rule. */
export const ZRollbackPlan = z.object({
  application: z.object({ id: z.string(), name: z.string() }),
  target: z.object({ id: z.string(), name: z.string(), requiredApprovals: z.number().int() }),
  from: ZRollbackSide.nullable().describe("The live deployment (the newest that succeeded); null when none."),
  to: ZRollbackSide,
  preview: ZDeploymentPreview.describe(
    "The live deployment's manifests against the chosen one's, object by object (no cluster read); the request gets its own dry run for approvers.",
  ),
});
export type RollbackPlan = z.output<typeof ZRollbackPlan>;
