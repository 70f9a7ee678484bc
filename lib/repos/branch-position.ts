/**
 * Where a pinned commit stands against its branch, worked out from what the agent reported (sync events): the
 * dashboard never reads Git itself (the repository's credentials live in the cluster), and a pinned agent stops
 * fetching its branch. So:
 * - the branch head is the newest commit the agent reported while following the branch (a pull, a webhook, its
 *   registration, a new image, or a revision it held for approval) — as of its last fetch before the pin;
 * - "N commits behind" counts the distinct commits the agent reported from the branch after the pinned one, up to
 *   that head. Commits pushed together and fetched in one go count once, so N is a lower bound; the status says so.
 * When the pinned commit was never reported from the branch (only synced by a rollback), or the branch was reset
 * behind it, the count is unknown (null) and the status names both commits instead.
 */

/** The fields of a sync event this needs; events come oldest first. */
export type BranchEvent = {
  sha: string;
  kind: string;
  trigger: string;
  result: string;
};

/** Triggers under which the agent applies what the branch points at (never a pin, nor a drift repair). */
const BRANCH_TRIGGERS = new Set(["registered", "poll", "notify", "image"]);

/** The commit an event reports is the branch's head at that moment. */
function isHeadReport(e: BranchEvent): boolean {
  if (e.kind === "pending-approval") return true;
  return BRANCH_TRIGGERS.has(e.trigger) && e.result !== "drift-detected" && e.result !== "drift-corrected";
}

/** A commit the branch has contained: a head report, or an approved revision (which was reported pending first). */
function isBranchCommit(e: BranchEvent): boolean {
  return isHeadReport(e) || e.trigger === "approval";
}

export type BranchPosition = {
  /** The newest branch head the agent reported; null when it never reported one. */
  headSha: string | null;
  /** Commits (as reported) from `sha` to the head; 0 at the head; null when unknown. */
  behind: number | null;
};

/** Where `sha` stands against the reported branch head (events oldest first). */
export function branchPosition(events: readonly BranchEvent[], sha: string): BranchPosition {
  const order: string[] = [];
  const seen = new Set<string>();
  let headSha: string | null = null;
  for (const e of events) {
    if (!isBranchCommit(e)) continue;
    if (!seen.has(e.sha)) {
      seen.add(e.sha);
      order.push(e.sha);
    }
    if (isHeadReport(e)) headSha = e.sha;
  }
  if (headSha === null) return { headSha: null, behind: null };
  if (headSha === sha) return { headSha, behind: 0 };
  const from = order.indexOf(sha);
  const to = order.indexOf(headSha);
  // A head reported before the pinned commit: the branch was reset (or force-pushed) behind it; no count is honest.
  return { headSha, behind: from >= 0 && to > from ? to - from : null };
}

/** A commit for a label: its first 10 characters, as the revision cells show it. */
export const shortSha = (sha: string) => sha.slice(0, 10);

/** "2 commits", "1 commit". */
export function commitCount(n: number): string {
  return `${n} commit${n === 1 ? "" : "s"}`;
}

/**
 * The state label of a pinned repository the agent reports in sync: "Pinned, N commits behind main", or, when the
 * count is unknown, which commit it is pinned at and where the branch is.
 */
export function pinnedLabel(pin: { sha: string; branchHeadSha: string | null; behind: number | null }, branch: string) {
  if (pin.branchHeadSha === null) return `Pinned at ${shortSha(pin.sha)}`;
  if (pin.behind === 0) return `Pinned at the head of ${branch}`;
  if (pin.behind !== null) return `Pinned, ${commitCount(pin.behind)} behind ${branch}`;
  return `Pinned at ${shortSha(pin.sha)}, ${branch} is at ${shortSha(pin.branchHeadSha)}`;
}
