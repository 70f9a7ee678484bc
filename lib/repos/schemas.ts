import { z } from "zod";
import {
  POLL_INTERVAL_DEFAULT_SECONDS,
  ZImagePolicies,
  ZPollIntervalSeconds,
  ZRepoBranch,
  ZRepoPath,
  ZRepoUrl,
  ZRevisionId,
  type TImagePolicy,
  type TRepoState,
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
export type TImagePolicyView = TImagePolicy & { invalid?: string };

export interface RepoStatusView {
  state: TRepoState;
  revision: string | null;
  message: string | null;
  updatedAt: string;
  lastSyncAt: string | null;
}

export interface PullRepoView {
  id: string;
  targetId: string;
  url: string;
  branch: string;
  path: string;
  pollIntervalSeconds: number;
  prune: boolean;
  selfHeal: boolean;
  imagePolicies: TImagePolicyView[];
  pinnedRevision: string | null;
  /** A rollback pin waiting for approvals: the deployment request to approve. */
  pendingPin: { deploymentId: string; revision: string } | null;
  notifySeq: number;
  status: RepoStatusView | null;
  createdAt: string;
  updatedAt: string;
}

export interface PinResult {
  repo: PullRepoView;
  /** "pinned"/"unpinned" took effect now; "pending-approval" created the deployment request named here. */
  outcome: "pinned" | "unpinned" | "pending-approval";
  deploymentId: string | null;
}
