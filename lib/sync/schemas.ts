import { z } from "zod";
import {
  blankToUndefined,
  INSTANT_DOC,
  ZCommaList,
  refineRange,
  ZListCursor,
  ZOnlyWhenFlag,
  ZPageLimit,
} from "@/lib/keyset-cursor";
import {
  REPO_RENDER_KINDS,
  ZRepoState,
  ZSyncEventKind,
  ZSyncResult,
  ZSyncTrigger,
  type TRepoState,
  type TSyncResult,
} from "@/lib/agent/protocol";
import { ZAgentView } from "@/lib/agents/schemas";
import { ZPullRepoView } from "@/lib/repos/schemas";

/** Sync history and pull status: queries and views shared by routes, pages and hooks. */

const emptyToUndefined = blankToUndefined;

export const SYNC_LIST_LIMIT_DEFAULT = 25;
export const SYNC_LIST_LIMIT_MAX = 100;

/** A comma-separated list of results (`synced,failed`: the deliveries the comparison counts). */
const ZResultList = ZCommaList(ZSyncResult, ZSyncResult.options.length);

/** What the daily sync chart counts as a sync (green) and as a failure (red); its day links list exactly these. */
export const DAILY_SYNCED_RESULTS: readonly TSyncResult[] = ["synced", "drift-corrected"];
export const DAILY_FAILED_RESULTS: readonly TSyncResult[] = ["failed"];

/** How long a sync-history page's long poll for new events may be held (as the agents' long poll). */
export const SYNC_CHANGES_WAIT_MAX_SECONDS = 25;

/** Query of `GET /api/sync-events/changes`. */
export const ZSyncChangesQuery = z.object({
  /** The `version` of the last answer; absent on a page's first call. */
  since: z.string().trim().max(100).optional(),
  /** Seconds to hold the request when nothing is stored meanwhile (default and maximum 25). */
  wait: z.coerce.number().int().min(0).max(SYNC_CHANGES_WAIT_MAX_SECONDS).optional(),
});

/** Answer of `GET /api/sync-events/changes`: whether sync events were stored since `since`, and the version now. */
export const ZSyncChanges = z.object({ changed: z.boolean(), version: z.string() });
export type TSyncChanges = z.infer<typeof ZSyncChanges>;

/** Query of `GET /api/sync-events`; values arrive as strings from the URL, an empty one means "no filter". */
export const ZSyncEventListQuery = z
  .object({
    targetId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
    repoId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
    result: z
      .preprocess(emptyToUndefined, ZResultList.optional())
      .describe("One result or a comma-separated list, e.g. synced,failed."),
    trigger: z.preprocess(emptyToUndefined, ZSyncTrigger.optional()),
    environment: z
      .preprocess(emptyToUndefined, z.string().trim().max(100).optional())
      .describe("The target's environment when the event was stored."),
    from: z
      .preprocess(emptyToUndefined, z.coerce.date().optional())
      .meta({ ...INSTANT_DOC, description: "Inclusive lower bound on occurredAt (ISO 8601)." }),
    to: z
      .preprocess(emptyToUndefined, z.coerce.date().optional())
      .meta({ ...INSTANT_DOC, description: "Exclusive upper bound on occurredAt (ISO 8601); must be after `from`." }),
    recovery: ZOnlyWhenFlag(
      "`true`: only healthy syncs that ended a run of failures of their repository (the comparison's time-to-restore rows).",
    ),
    withCommitTime: ZOnlyWhenFlag(
      "`true`: only events whose revision's commit time is known (the comparison measures lead time on these).",
    ),
    cursor: ZListCursor(300),
    limit: ZPageLimit({ max: SYNC_LIST_LIMIT_MAX, default: SYNC_LIST_LIMIT_DEFAULT, noun: "events" }),
  })
  .superRefine(refineRange);
export type TSyncEventListQuery = z.output<typeof ZSyncEventListQuery>;
export type TSyncEventFilter = Omit<TSyncEventListQuery, "cursor" | "from" | "to"> & {
  from?: string | undefined;
  to?: string | undefined;
};

export const ZSyncDailyQuery = z.object({
  targetId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  days: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(90).default(30)),
});
export type TSyncDailyQuery = z.output<typeof ZSyncDailyQuery>;

export const ZSyncEventView = z.object({
  id: z.string(),
  occurredAt: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
  agentId: z.string(),
  target: z.object({ id: z.string(), name: z.string().nullable() }),
  repo: z.object({ id: z.string(), url: z.string(), branch: z.string(), path: z.string() }).nullable(),
  spec: z
    .object({
      url: z.string(),
      branch: z.string(),
      path: z.string(),
      render: z.enum(REPO_RENDER_KINDS).describe("How the path was rendered: auto, plain, kustomize or helm."),
    })
    .nullable()
    .describe(
      "The repository settings the revision was synced with (found by the spec digest its id ends with), which may differ from `repo`'s current ones; null when Wharf does not know them.",
    ),
  kind: ZSyncEventKind,
  trigger: ZSyncTrigger,
  result: ZSyncResult,
  live: z.boolean().describe("The revision is the one its repository runs now (the agent's last applied one)."),
  revision: z
    .object({
      sha: z.string(),
      id: z.string().nullable(),
      message: z.string().nullable(),
      authorName: z.string().nullable(),
      authorEmail: z.string().nullable(),
    })
    .nullable(),
  counts: z.object({
    created: z.number().int(),
    changed: z.number().int(),
    unchanged: z.number().int(),
    pruned: z.number().int(),
  }),
  durationMs: z.number().nullable(),
  message: z.string(),
  image: z.object({ policy: z.string(), from: z.string().nullable(), to: z.string() }).nullable(),
  problems: z.array(
    z.object({
      file: z.string(),
      document: z.number().int().optional(),
      line: z.number().int().optional(),
      message: z.string(),
    }),
  ),
  drift: z.array(
    z.object({
      ref: z.object({ apiVersion: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string() }),
      fields: z.array(z.string()),
    }),
  ),
  manifests: z
    .object({ sha256: z.string(), bytes: z.number().int().nullable() })
    .nullable()
    .describe(
      "The rendered manifests the sync applied, by the SHA-256 of their bytes; null when nothing was applied or the agent is older than the record.",
    ),
  pinRequestId: z
    .string()
    .nullable()
    .describe("Set when this event is the agent's dry run of a pin request awaiting approval: that request's id."),
});
export type SyncEventView = z.output<typeof ZSyncEventView>;

/**
 * One sync event's page (issue 16, Must 4): the event, and the record of what it applied — the cluster, the revision,
 * the manifests' digest and whether Wharf holds their text, who asked for the revision and who approved it.
 */
export const ZSyncEventDetail = ZSyncEventView.extend({
  cluster: z
    .object({ name: z.string().nullable(), serverUrl: z.string().nullable(), archived: z.boolean() })
    .describe("The target the agent synced; null fields when the target is gone."),
  appliedManifests: z
    .object({
      sha256: z.string(),
      bytes: z.number().int().nullable(),
      held: z.boolean().describe("Wharf holds the text (false: the upload was over the cap or never arrived)."),
      canDownload: z.boolean().describe("The viewer may download them (approvers and admins; audited)."),
    })
    .nullable(),
  approval: z
    .object({
      deploymentId: z.string(),
      requestedBy: z.string(),
      approvedBy: z.array(z.string()),
    })
    .nullable()
    .describe("The approval request of this revision on a target that requires approvals; null elsewhere."),
});
export type SyncEventDetail = z.output<typeof ZSyncEventDetail>;

export const ZSyncEventPage = z.object({ items: z.array(ZSyncEventView), nextCursor: z.string().nullable() });
export type SyncEventPage = z.output<typeof ZSyncEventPage>;

export const ZSyncDailyCount = z.object({
  day: z.string().describe("UTC day, `YYYY-MM-DD`."),
  synced: z.number().int(),
  failed: z.number().int(),
});
export type SyncDailyCount = z.output<typeof ZSyncDailyCount>;

export const ZPullOverallState = z.union([ZRepoState, z.enum(["no-repos", "unknown"])]);
export type PullOverallState = z.output<typeof ZPullOverallState>;

/** What a pull target's status card shows. */
export const ZPullStatusView = z.object({
  targetId: z.string(),
  requiresApproval: z.boolean(),
  state: ZPullOverallState,
  currentRevision: z
    .string()
    .nullable()
    .describe("The applied revision when all repositories agree (or there is one), else null."),
  lastSyncAt: z.iso.datetime().nullable(),
  repos: z.array(ZPullRepoView),
  agents: z.array(ZAgentView),
  agentsStale: z
    .boolean()
    .describe("True when no live agent serves the target or every one of them missed 3 heartbeats."),
});
export type PullStatusView = z.output<typeof ZPullStatusView>;

/** Worst first: the status card shows the worst repository state. */
export const STATE_SEVERITY: Record<TRepoState, number> = {
  failed: 0,
  drifted: 1,
  "out-of-sync": 2,
  "pending-approval": 3,
  "in-sync": 4,
};
export { ZRepoState };

/** The overall state of several repositories: the worst one; `unknown` when some have not reported yet. */
export function overallState(states: (TRepoState | null)[]): PullOverallState {
  if (states.length === 0) return "no-repos";
  const known = states.filter((s): s is TRepoState => s !== null);
  if (known.length === 0) return "unknown";
  const worst = [...known].sort((a, b) => STATE_SEVERITY[a] - STATE_SEVERITY[b])[0]!;
  if (known.length < states.length && worst === "in-sync") return "unknown";
  return worst;
}
