import { z } from "zod";
import { ZRepoState, ZSyncResult, ZSyncTrigger, type TRepoState, type TSyncEventKind, type TSyncResult, type TSyncTrigger } from "@/lib/agent/protocol";
import type { AgentView } from "@/lib/agents/schemas";
import type { PullRepoView } from "@/lib/repos/schemas";

/** Sync history and pull status: queries and views shared by routes, pages and hooks. */

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const SYNC_LIST_LIMIT_DEFAULT = 25;
export const SYNC_LIST_LIMIT_MAX = 100;

/** Query of `GET /api/sync-events`; values arrive as strings from the URL, an empty one means "no filter". */
export const ZSyncEventListQuery = z.object({
  targetId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  repoId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  result: z.preprocess(emptyToUndefined, ZSyncResult.optional()),
  trigger: z.preprocess(emptyToUndefined, ZSyncTrigger.optional()),
  from: z.preprocess(emptyToUndefined, z.coerce.date().optional()),
  to: z.preprocess(emptyToUndefined, z.coerce.date().optional()),
  cursor: z.preprocess(emptyToUndefined, z.string().max(300).optional()),
  limit: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(SYNC_LIST_LIMIT_MAX, `Ask for at most ${SYNC_LIST_LIMIT_MAX} events per page.`).default(SYNC_LIST_LIMIT_DEFAULT),
  ),
});
export type TSyncEventListQuery = z.output<typeof ZSyncEventListQuery>;
export type TSyncEventFilter = Omit<TSyncEventListQuery, "cursor" | "from" | "to"> & { from?: string | undefined; to?: string | undefined };

export const ZSyncDailyQuery = z.object({
  targetId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  days: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(90).default(30)),
});
export type TSyncDailyQuery = z.output<typeof ZSyncDailyQuery>;

export interface SyncEventView {
  id: string;
  occurredAt: string;
  receivedAt: string;
  agentId: string;
  target: { id: string; name: string | null };
  repo: { id: string; url: string; branch: string; path: string } | null;
  kind: TSyncEventKind;
  trigger: TSyncTrigger;
  result: TSyncResult;
  revision: { sha: string; id: string | null; message: string | null; authorName: string | null; authorEmail: string | null } | null;
  counts: { created: number; changed: number; unchanged: number; pruned: number };
  durationMs: number | null;
  message: string;
  image: { policy: string; from: string | null; to: string } | null;
  problems: { file: string; document?: number; line?: number; message: string }[];
  drift: { ref: { apiVersion: string; kind: string; namespace?: string; name: string }; fields: string[] }[];
}

export interface SyncEventPage {
  items: SyncEventView[];
  nextCursor: string | null;
}

export interface SyncDailyCount {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  synced: number;
  failed: number;
}

export type PullOverallState = TRepoState | "no-repos" | "unknown";

/** What a pull target's status card shows. */
export interface PullStatusView {
  targetId: string;
  requiresApproval: boolean;
  state: PullOverallState;
  /** The applied revision when all repositories agree (or there is one), else null. */
  currentRevision: string | null;
  lastSyncAt: string | null;
  repos: PullRepoView[];
  agents: AgentView[];
  /** True when no live agent serves the target or every one of them missed 3 heartbeats. */
  agentsStale: boolean;
}

/** Worst first: the status card shows the worst repository state. */
export const STATE_SEVERITY: Record<TRepoState, number> = { failed: 0, drifted: 1, "out-of-sync": 2, "pending-approval": 3, "in-sync": 4 };
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
