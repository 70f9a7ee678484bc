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
import { ZApplicationName } from "@/lib/applications/schemas";
import { fullUrlOf, isPlainGitRevision, ZRepoPath, ZRepoUrlText } from "@/lib/agent/protocol";
import { ZRole, type TRole } from "@/lib/auth/roles";
import { ZArchived } from "@/lib/targets/schemas";
import { DEPLOYMENT_STATES, ZDeploymentState } from "./states";

/**
 * Deployment schemas and views, shared by route handlers, forms in the browser, and the webhook handler. Nothing
 * here touches Node APIs.
 */

/** Largest manifest text accepted (pasted, uploaded, or read from a repository path). */
export const MANIFESTS_MAX_CHARS = 1_500_000;

export const SOURCE_KINDS = ["manifests", "git"] as const;
export const ZSourceKind = z.enum(SOURCE_KINDS);
export type TSourceKind = z.infer<typeof ZSourceKind>;

export const ZManifestsSource = z.strictObject({
  kind: z.literal("manifests"),
  manifests: z
    .string({ error: "Paste or upload manifests." })
    .max(MANIFESTS_MAX_CHARS, "The manifests are larger than 1.5 MB.")
    .refine((v) => v.trim().length > 0, "Paste or upload manifests."),
});

/**
 * A repository URL Wharf may fetch with git: http(s), git:// or file:// only (no ssh, no ext:: transports), without
 * credentials. Which `file://` directories are allowed is the server's configuration (WHARF_GIT_LOCAL_ROOTS), checked
 * where the dashboard fetches (lib/deployments/git-source.ts checkFetchableUrl).
 */
export const ZGitUrl = ZRepoUrlText().superRefine((value, ctx) => {
  const url = fullUrlOf(value, ctx);
  if (!url) return;
  if (!["http:", "https:", "git:", "file:"].includes(url.protocol)) {
    ctx.addIssue({ code: "custom", message: "Use an https://, http://, git:// or file:// URL." });
  } else if (url.username || url.password) {
    // A user part is a credential here (https://token@host, https://user:pass@host): it would be stored, shown
    // and logged with the URL. None of these transports needs a user name.
    ctx.addIssue({ code: "custom", message: "Do not put credentials in the URL." });
  }
});

/** A branch, tag or commit SHA. Refuses what git would read as an option or a revision range. */
export const ZGitRef = z
  .string({ error: "Enter a branch, tag or commit." })
  .trim()
  .min(1, "Enter a branch, tag or commit.")
  .max(255, "Use at most 255 characters.")
  .refine(isPlainGitRevision, "Enter a plain branch, tag or commit SHA.");

/** A path inside the repository; "." is the root. The same rule as a pull repository's path. */
export const ZGitPath = ZRepoPath;

export const ZGitSource = z.strictObject({
  kind: z.literal("git"),
  url: ZGitUrl,
  ref: ZGitRef,
  path: ZGitPath.default("."),
});

export const ZDeploymentSource = z.discriminatedUnion("kind", [ZManifestsSource, ZGitSource], {
  error: "Choose a source: manifests or git.",
});
export type TDeploymentSource = z.output<typeof ZDeploymentSource>;

export const ZReason = z.string().trim().max(2000, "Use at most 2000 characters.");

/** Body of `POST /api/deployments`. */
export const ZCreateDeployment = z.strictObject({
  targetId: z.string({ error: "Choose a target." }).trim().min(1, "Choose a target.").max(100),
  source: ZDeploymentSource,
  reason: ZReason.default(""),
  /** The push application to deploy (created when new); omitted: the target's default application. */
  application: ZApplicationName.optional(),
});
export type TCreateDeployment = z.output<typeof ZCreateDeployment>;
export type TCreateDeploymentInput = z.input<typeof ZCreateDeployment>;

export const DECISIONS = ["approved", "rejected"] as const;
export const ZDecision = z.enum(DECISIONS, { error: "Choose approved or rejected." });
export type TDecision = z.infer<typeof ZDecision>;

/** Body of `POST /api/deployments/:id/approvals`. A rejection must say why. */
export const ZApprovalInput = z
  .strictObject({
    decision: ZDecision,
    comment: z.string().trim().max(2000, "Use at most 2000 characters.").default(""),
  })
  .superRefine((v, ctx) => {
    if (v.decision === "rejected" && !v.comment)
      ctx.addIssue({ code: "custom", message: "Say why you reject this deployment.", path: ["comment"] });
  });
export type TApprovalInput = z.input<typeof ZApprovalInput>;

export const ZEmergency = z.strictObject({
  reason: z
    .string({ error: "Give the reason for the emergency." })
    .trim()
    .min(1, "Give the reason for the emergency.")
    .max(2000),
});

/** Body of `POST /api/deployments/:id/rollback`. `emergency` (admins only) skips approvals and is recorded. */
export const ZRollbackInput = z.strictObject({
  reason: ZReason.optional(),
  emergency: ZEmergency.optional(),
});
export type TRollbackInput = z.input<typeof ZRollbackInput>;

const emptyToUndefined = blankToUndefined;

export const DEPLOYMENT_LIST_LIMIT_DEFAULT = 25;
export const DEPLOYMENT_LIST_LIMIT_MAX = 100;

/**
 * The instant a deployments list is ranged and ordered by. The comparison counts a delivery on the instant it
 * finished and an approval wait on the instant it was approved, so a figure's list must use the same one:
 * `requested` (createdAt, the default), `finished` (finishedAt) or `approved` (approvedAt). With `finished` or
 * `approved`, rows without that instant are left out.
 */
export const DEPLOYMENT_TIME_FIELDS = ["requested", "finished", "approved"] as const;
export const ZDeploymentTimeField = z.enum(DEPLOYMENT_TIME_FIELDS);
export type TDeploymentTimeField = z.infer<typeof ZDeploymentTimeField>;

/** An ISO 8601 instant with a zone (`2026-01-31T00:00:00Z`, `…+02:00`) or a date (`2026-01-31`, UTC midnight). */
export const ZInstant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: "Use an ISO 8601 date-time with a zone (2026-01-31T00:00:00Z) or a date (2026-01-31).",
  })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v));

const DEPLOYMENT_STATE_COUNT = DEPLOYMENT_STATES.length;

/** A comma-separated list of states (`succeeded,failed`): one value keeps its plain form in URLs. */
const ZStateList = ZCommaList(ZDeploymentState, DEPLOYMENT_STATE_COUNT);

/** Query of the deployments list; values arrive as strings from the URL, an empty one means "no filter". */
export const ZDeploymentListQuery = z
  .object({
    targetId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
    applicationId: z
      .preprocess(emptyToUndefined, z.string().trim().max(100).optional())
      .describe("The application's id: its deployments (push) or the approval requests of its revisions (pull)."),
    /** One state or several, comma-separated (e.g. `succeeded,failed`: the deliveries the comparison counts). */
    state: z
      .preprocess(emptyToUndefined, ZStateList.optional())
      .describe("One state or a comma-separated list, e.g. succeeded,failed."),
    /** A user id or email; the requester's. */
    requester: z.preprocess(emptyToUndefined, z.string().trim().max(320).optional()),
    environment: z
      .preprocess(emptyToUndefined, z.string().trim().max(100).optional())
      .describe("The target's environment."),
    /** `pull`: approval requests for pull targets' revisions; `push`: everything else (as the comparison splits them). */
    mode: z
      .preprocess(emptyToUndefined, z.enum(["push", "pull"]).optional())
      .describe(
        "pull: approval requests for pull targets' revisions (sourceKind pull-revision); push: push deployments.",
      ),
    timeField: z
      .preprocess(emptyToUndefined, ZDeploymentTimeField.default("requested"))
      .describe("The instant that `from`/`to` range over and the list is ordered by (newest first)."),
    from: z.preprocess(emptyToUndefined, ZInstant.optional()).meta({
      ...INSTANT_DOC,
      description:
        "Inclusive lower bound on the `timeField` instant (ISO 8601 date-time with zone, or a date = UTC midnight).",
    }),
    to: z
      .preprocess(emptyToUndefined, ZInstant.optional())
      .meta({ ...INSTANT_DOC, description: "Exclusive upper bound on the `timeField` instant; must be after `from`." }),
    waitedForApproval: ZOnlyWhenFlag(
      "`true`: only deployments approved after people approved them (the comparison's approval-wait rows).",
    ),
    recovery: ZOnlyWhenFlag(
      "`true`: only successes that ended a run of failures on their target (the comparison's time-to-restore rows).",
    ),
    cursor: ZListCursor(600),
    limit: ZPageLimit({ max: DEPLOYMENT_LIST_LIMIT_MAX, default: DEPLOYMENT_LIST_LIMIT_DEFAULT, noun: "deployments" }),
  })
  .superRefine(refineRange);
export type TDeploymentListQuery = z.output<typeof ZDeploymentListQuery>;

/**
 * A list filter as pages, query keys and links carry it: the parsed query without the cursor, instants as ISO strings
 * (so the filter is the same value on the server, in the browser and in a URL).
 */
export type TDeploymentListFilter = Omit<TDeploymentListQuery, "cursor" | "from" | "to" | "timeField"> & {
  timeField?: TDeploymentTimeField | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

/** A target's approval rule as pages show it. */
export const ZApprovalRuleView = z.object({
  requiredApprovals: z.number().int(),
  approverRole: ZRole,
  banRequester: z.boolean(),
  banCommitAuthor: z.boolean(),
  allowTokenApprovals: z.boolean(),
  approvalTtlHours: z.number().int(),
});
export type ApprovalRuleView = z.output<typeof ZApprovalRuleView>;

const ROLE_PLURAL: Record<TRole, string> = {
  viewer: "viewers",
  deployer: "deployers",
  approver: "approvers",
  admin: "admins",
};

/**
 * The rule in words: "2 approvals from approvers; the requester and the commit author may not approve; approvals
 * expire after 24 h".
 */
export function describeRule(rule: ApprovalRuleView): string {
  if (rule.requiredApprovals === 0) return "No approval needed: requests are queued at once";
  const parts = [
    `${rule.requiredApprovals} approval${rule.requiredApprovals === 1 ? "" : "s"} from ${rule.approverRole === "admin" ? "admins" : `${ROLE_PLURAL[rule.approverRole]} or admins`}`,
  ];
  const bans = [rule.banRequester ? "the requester" : null, rule.banCommitAuthor ? "the commit author" : null].filter(
    Boolean,
  );
  if (bans.length) parts.push(`${bans.join(" and ")} may not approve`);
  parts.push(rule.allowTokenApprovals ? "API tokens may approve" : "API tokens may not approve");
  parts.push(`approvals expire after ${rule.approvalTtlHours} h`);
  return parts.join("; ");
}

export const PREVIEW_ACTIONS = ["create", "change", "unchanged", "prune", "error"] as const;
export const ZPreviewAction = z.enum(PREVIEW_ACTIONS);
export type PreviewAction = z.output<typeof ZPreviewAction>;

export const ZPreviewFieldChange = z.object({
  path: z.string(),
  op: z.enum(["add", "change", "remove"]),
  old: z.unknown().optional(),
  new: z.unknown().optional(),
});
export type PreviewFieldChange = z.output<typeof ZPreviewFieldChange>;

export const ZPreviewObject = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  action: ZPreviewAction,
  changes: z.array(ZPreviewFieldChange),
  message: z.string().nullable(),
});
export type PreviewObject = z.output<typeof ZPreviewObject>;

/** The stored result of a dry run: what applying would do, object by object. */
export const ZDeploymentPreview = z.object({
  counts: z.record(ZPreviewAction, z.number().int()),
  objects: z.array(ZPreviewObject),
  notes: z
    .array(z.string())
    .optional()
    .describe(
      "How the manifests were made, when reviewers should know (a chart rendered without the target's versions).",
    ),
});
export type DeploymentPreview = z.output<typeof ZDeploymentPreview>;

export const ZDeploymentApprovalView = z.object({
  id: z.string(),
  approverId: z.string(),
  approverName: z.string(),
  approverEmail: z.string(),
  approverKind: z.enum(["user", "api-token"]),
  decision: ZDecision,
  comment: z.string(),
  createdAt: z.iso.datetime(),
  valid: z
    .boolean()
    .describe("Whether it still counts: same content, not expired, not from a banned person, first of its person."),
  invalidReason: z.string().nullable().describe("Why it no longer counts, when it does not."),
});
export type DeploymentApprovalView = z.output<typeof ZDeploymentApprovalView>;

export const ZDeploymentObjectView = z.object({
  position: z.number().int(),
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  action: z.string(),
  message: z.string().nullable(),
});
export type DeploymentObjectView = z.output<typeof ZDeploymentObjectView>;

export const ZGitSourceView = z.object({
  url: z.string(),
  ref: z.string(),
  path: z.string(),
  commitSha: z.string().nullable(),
  authorName: z.string().nullable(),
  authorEmail: z.string().nullable(),
  message: z.string().nullable(),
  committedAt: z.iso.datetime().nullable(),
});
export type GitSourceView = z.output<typeof ZGitSourceView>;

/** A row of the deployments list. Dates are ISO strings so it crosses the server/client boundary. */
export const ZDeploymentListItem = z.object({
  id: z.string(),
  target: z.object({
    id: z.string(),
    name: z.string(),
    environment: z.string(),
    archived: ZArchived.nullable().describe("Set once the target was deleted: this record stays readable."),
  }),
  state: ZDeploymentState,
  sourceKind: ZSourceKind,
  git: ZGitSourceView.nullable(),
  manifestsDigest: z.string(),
  objectCount: z.number().int(),
  requestedBy: z.object({ id: z.string(), kind: z.string(), name: z.string() }),
  reason: z.string(),
  emergency: z.boolean(),
  rollbackOfId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  approvedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  outageStartedAt: z.iso
    .datetime()
    .nullable()
    .describe("On a success that ended a run of failures on its target: when the first failure of that run finished."),
  live: z
    .boolean()
    .describe(
      "Whether this is the newest success of its application, i.e. what runs now; it is not offered to roll back to.",
    ),
});
export type DeploymentListItem = z.output<typeof ZDeploymentListItem>;

/** One deployment as the detail page and `GET /api/deployments/:id` show it, for a given viewer. */
export const ZDeploymentView = ZDeploymentListItem.extend({
  manifests: z.string(),
  appliedManifests: z
    .object({
      sha256: z
        .string()
        .describe("SHA-256 (hex) of the manifests' bytes: the X-Wharf-Manifests-Sha256 of the download."),
      bytes: z.number().int(),
      clusterName: z.string().describe("The target's name when the run started (its name now before it started)."),
      serverUrl: z.string().describe("The API server the run applied to (the target's URL now before it started)."),
      canDownload: z
        .boolean()
        .describe("Whether the viewer may download them: approvers, admins and the requester (GET /manifests)."),
    })
    .nullable()
    .describe("The manifests as stored and applied, for push deployments; null for pull revisions."),
  emergencyReason: z.string().nullable(),
  preview: ZDeploymentPreview.nullable(),
  previewByAgent: z
    .boolean()
    .describe(
      "Pull revisions: the target's agent computes the diff (a dry run in its cluster, reported while the revision awaits approval); Wharf cannot preview them itself.",
    ),
  previewError: z.string().nullable(),
  previewedAt: z.iso.datetime().nullable(),
  approvedAt: z.iso.datetime().nullable(),
  queuedAt: z.iso.datetime().nullable(),
  startedAt: z.iso.datetime().nullable(),
  cancelRequested: z.boolean(),
  phase: z.string().nullable(),
  appliedCount: z.number().int(),
  readyReplicas: z.number().int(),
  desiredReplicas: z.number().int(),
  resultMessage: z.string().nullable(),
  rule: ZApprovalRuleView,
  ruleDescription: z.string(),
  approvals: z.array(ZDeploymentApprovalView),
  approvalStatus: z.object({
    required: z.number().int(),
    approvedCount: z.number().int(),
    satisfied: z.boolean(),
    rejected: z.boolean(),
  }),
  eligibleApprovers: z
    .array(z.object({ id: z.string(), name: z.string(), email: z.string() }))
    .describe("People who could still approve (role allows, not banned, not yet decided); at most 20."),
  viewer: z.object({
    canApprove: z.boolean(),
    reason: z.string().nullable(),
    approvalStartsDeployment: z
      .boolean()
      .describe(
        "Whether the viewer's approval now would be the last one the rule needs, so approving starts the deployment.",
      ),
  }),
  canCancel: z.boolean(),
  canRollback: z
    .boolean()
    .describe(
      "Whether the viewer may request, from this page, a rollback to it (a success that is not live), the same again (plan-changed), or a rollback to `lastSucceeded` (failed).",
    ),
  canEmergencyRollback: z.boolean(),
  application: z
    .object({
      id: z.string(),
      name: z.string(),
      archived: ZArchived.nullable().describe("Set once the application was deleted: this record stays readable."),
    })
    .nullable()
    .describe("The application it deployed (null only on rows from before applications)."),
  live: z
    .boolean()
    .describe(
      "Whether this is the newest success of its application, i.e. what runs now; it is not offered to roll back to.",
    ),
  lastSucceeded: z
    .object({ id: z.string(), createdAt: z.iso.datetime(), finishedAt: z.iso.datetime() })
    .nullable()
    .describe(
      "On a failed deployment: its application's newest success, when it finished before this failure (what ran before); `canRollback` then means rolling back to it.",
    ),
  objects: z.array(ZDeploymentObjectView),
  updatedAt: z.iso.datetime(),
});
export type DeploymentView = z.output<typeof ZDeploymentView>;

export const ZDeploymentListPage = z.object({ items: z.array(ZDeploymentListItem), nextCursor: z.string().nullable() });
export type DeploymentListPage = z.output<typeof ZDeploymentListPage>;

/** A deployment waiting for the viewer's approval, for the home page. */
export interface AwaitingApprovalItem {
  id: string;
  target: { id: string; name: string; environment: string };
  requestedByName: string;
  reason: string;
  createdAt: string;
  approvedCount: number;
  requiredApprovals: number;
}
