import { z } from "zod";
import {
  POLL_INTERVAL_DEFAULT_SECONDS,
  ZImagePolicies,
  ZPollIntervalSeconds,
  ZRepoBranch,
  ZRepoPath,
  ZRepoUrl,
  ZImagePolicy,
  ZRepoState,
  ZRevisionId,
} from "@/lib/agent/protocol";

/**
 * Pull-repository registration schemas and views, shared by the route handlers and the "Register repository" form.
 * Field rules come from the agent protocol so the dashboard never accepts what the agent would refuse.
 */

/** Body of `POST /api/targets/:id/repos`. Git credentials are never part of it: they live in the cluster. */
export const ZRegisterRepo = z.strictObject({
  url: ZRepoUrl,
  branch: ZRepoBranch.default("main"),
  path: ZRepoPath.default("."),
  pollIntervalSeconds: ZPollIntervalSeconds.default(POLL_INTERVAL_DEFAULT_SECONDS),
  prune: z.boolean().default(true),
  selfHeal: z.boolean().default(true),
  imagePolicies: ZImagePolicies.default([]),
});
export type TRegisterRepo = z.output<typeof ZRegisterRepo>;
export type TRegisterRepoInput = z.input<typeof ZRegisterRepo>;

/** Body of `PATCH /api/repos/:id`: any subset of the registration fields. */
export const ZUpdateRepo = z.strictObject({
  url: ZRepoUrl.optional(),
  branch: ZRepoBranch.optional(),
  path: ZRepoPath.optional(),
  pollIntervalSeconds: ZPollIntervalSeconds.optional(),
  prune: z.boolean().optional(),
  selfHeal: z.boolean().optional(),
  imagePolicies: ZImagePolicies.optional(),
});
export type TUpdateRepoInput = z.input<typeof ZUpdateRepo>;

/** Body of `POST /api/repos/:id/pin`: a revision id to roll back to, or null to follow the branch again. */
export const ZPinRepo = z.strictObject({
  revision: ZRevisionId.nullable(),
  reason: z.string().trim().max(2000, "Use at most 2000 characters.").default(""),
});
export type TPinRepoInput = z.input<typeof ZPinRepo>;

/**
 * A stored image policy as the repository view shows it. `invalid` says why the agent refuses it — a tag pattern
 * stored before patterns were checked against RE2 — so the policy is shown with the reason, never silently left out.
 */
export const ZImagePolicyView = z.intersection(
  ZImagePolicy,
  z.object({ invalid: z.string().optional().describe("Why its tag pattern is unusable, if it is.") }),
);
export type TImagePolicyView = z.output<typeof ZImagePolicyView>;

export const ZRepoStatusView = z.object({
  state: ZRepoState,
  revision: z.string().nullable(),
  message: z.string().nullable(),
  updatedAt: z.iso.datetime(),
  lastSyncAt: z.iso.datetime().nullable(),
});
export type RepoStatusView = z.output<typeof ZRepoStatusView>;

/** A commit as the agent reported it (from the sync history): what the pin dialogs and the pinned status name. */
// A factory: one zod instance used three times in one response becomes a `$defs` reference the OpenAPI document
// does not resolve, so each use gets its own.
const reportedCommit = () =>
  z.object({
    revision: z.string().describe("The revision id (commit, image tags, spec digest) or the bare commit."),
    sha: z.string(),
    message: z.string().nullable(),
    authorName: z.string().nullable(),
    reportedAt: z.iso.datetime().describe("When the agent last reported this revision."),
  });
export const ZReportedCommit = reportedCommit();
export type ReportedCommit = z.output<typeof ZReportedCommit>;

export const ZPinView = z
  .object({
    revision: z.string(),
    sha: z.string(),
    branchHeadSha: z
      .string()
      .nullable()
      .describe("The branch head the agent last reported while following the branch (it stops fetching when pinned)."),
    behind: z
      .number()
      .int()
      .nullable()
      .describe(
        "Commits the agent reported from the branch after the pinned one, up to that head (a lower bound: commits fetched together count once); null when unknown.",
      ),
  })
  .describe("Where the pinned revision stands against its branch.");
export type PinView = z.output<typeof ZPinView>;

export const ZPullRepoView = z.object({
  id: z.string(),
  targetId: z.string(),
  url: z.string(),
  branch: z.string(),
  path: z.string(),
  pollIntervalSeconds: z.number().int(),
  prune: z.boolean(),
  selfHeal: z.boolean(),
  imagePolicies: z.array(ZImagePolicyView),
  pinnedRevision: z.string().nullable(),
  pendingPin: z
    .object({ deploymentId: z.string(), revision: z.string() })
    .nullable()
    .describe("A rollback pin waiting for approvals: the deployment request to approve."),
  pin: ZPinView.nullable().describe("Set while the repository is pinned."),
  notifySeq: z.number().int(),
  status: ZRepoStatusView.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type PullRepoView = z.output<typeof ZPullRepoView>;

export const ZPinResult = z.object({
  repo: ZPullRepoView,
  outcome: z
    .enum(["pinned", "unpinned", "pending-approval"])
    .describe('"pinned"/"unpinned" took effect now; "pending-approval" created the deployment request named here.'),
  deploymentId: z.string().nullable(),
});
export type PinResult = z.output<typeof ZPinResult>;

/** Query of `GET /api/repos/:id/pin`: the revision a rollback would pin; absent to preview unpinning. */
export const ZPinPreviewQuery = z.object({
  revision: z.preprocess((v) => (v === "" ? undefined : v), ZRevisionId.optional()),
});

/** What a pin (or unpin) would change, for the confirmation dialog: from which revision to which, and how far. */
export const ZPinPreview = z.object({
  repo: z.object({ id: z.string(), url: z.string(), branch: z.string(), path: z.string() }),
  requiredApprovals: z.number().int().describe("The target's approval rule: > 0 means a pin becomes a request."),
  pinnedRevision: z.string().nullable(),
  from: reportedCommit().nullable().describe("The live revision (the agent's last applied one), when reported."),
  to: reportedCommit()
    .nullable()
    .describe(
      "The revision to pin, or when unpinning the branch head the agent last reported (null when it never did).",
    ),
  branchHead: reportedCommit().nullable(),
  fromBehind: z
    .number()
    .int()
    .nullable()
    .describe("Commits (as reported) `from` is behind the branch head; null when unknown."),
  toBehind: z
    .number()
    .int()
    .nullable()
    .describe("Commits (as reported) `to` is behind the branch head; null when unknown."),
});
export type PinPreview = z.output<typeof ZPinPreview>;
