import { Badge, type BadgeTone } from "@/components/ui/badge";
import { specDigestOfRevision, type TRepoState, type TSyncResult } from "@/lib/agent/protocol";
import type { AgentState } from "@/lib/agents/schemas";
import { pinnedLabel } from "@/lib/repos/branch-position";
import type { PinView } from "@/lib/repos/schemas";
import type { PullOverallState } from "@/lib/sync/schemas";

const STATE: Record<PullOverallState, { tone: BadgeTone; label: string }> = {
  "in-sync": { tone: "green", label: "In sync" },
  "out-of-sync": { tone: "yellow", label: "Out of sync" },
  drifted: { tone: "yellow", label: "Drifted" },
  failed: { tone: "red", label: "Failed" },
  "pending-approval": { tone: "purple", label: "Waiting for approval" },
  "no-repos": { tone: "neutral", label: "No repositories" },
  unknown: { tone: "neutral", label: "Not reported yet" },
};

/**
 * A repository's (or target's) state. A pinned repository the agent reports in sync is not "In sync" with its branch:
 * it reads "Pinned, N commits behind main" (or where it is pinned and where the branch is, when N is unknown).
 */
export function SyncStateBadge({
  state,
  pin,
  branch,
}: {
  state: PullOverallState | TRepoState;
  pin?: PinView | null | undefined;
  branch?: string | undefined;
}) {
  if (state === "in-sync" && pin && branch) {
    return (
      <Badge
        tone="yellow"
        title={`Pinned at ${pin.sha}; ${branch} was at ${pin.branchHeadSha ?? "(not reported)"} when the agent last fetched it. Counted from the commits the agent reported: commits fetched together count once.`}
      >
        <span data-testid="pinned-state">{pinnedLabel(pin, branch)}</span>
      </Badge>
    );
  }
  const s = STATE[state];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

const RESULT: Record<TSyncResult, { tone: BadgeTone; label: string }> = {
  synced: { tone: "green", label: "synced" },
  failed: { tone: "red", label: "failed" },
  "drift-corrected": { tone: "blue", label: "drift corrected" },
  "drift-detected": { tone: "yellow", label: "drift detected" },
  "pending-approval": { tone: "purple", label: "pending approval" },
};

export function SyncResultBadge({ result }: { result: TSyncResult }) {
  const r = RESULT[result];
  return <Badge tone={r.tone}>{r.label}</Badge>;
}

const AGENT: Record<AgentState, { tone: BadgeTone; label: string }> = {
  online: { tone: "green", label: "online" },
  stale: { tone: "red", label: "stale" },
  "never-seen": { tone: "yellow", label: "never seen" },
  "awaiting-enrolment": { tone: "yellow", label: "awaiting enrolment" },
  "enrolment-expired": { tone: "red", label: "enrolment expired" },
  revoked: { tone: "neutral", label: "revoked" },
};

export function AgentStateBadge({ state }: { state: AgentState }) {
  const a = AGENT[state];
  return <Badge tone={a.tone}>{a.label}</Badge>;
}

/**
 * A revision id for a table cell: the commit's first 10 characters, the image tags, and the first 8 of the spec
 * digest (a changed path or branch of the same commit is another revision, and must read as one).
 */
export function shortRevision(rev: string | null): string {
  if (!rev) return "—";
  const spec = specDigestOfRevision(rev);
  const [sha, images] = (spec === null ? rev : rev.slice(0, rev.indexOf("@"))).split("+");
  return `${(sha ?? "").slice(0, 10)}${images ? ` + ${images}` : ""}${spec ? ` @${spec.slice(0, 8)}` : ""}`;
}
