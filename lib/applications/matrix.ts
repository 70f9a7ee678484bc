import type { TMatrixEntry, TMatrixResult, TMatrixRevision } from "./matrix-schemas";

/**
 * The matrix's columns: the configured order first (compared without case, so `Prod` sits where `prod` is listed),
 * then every other environment alphabetically. Environments are free text on targets, so unknown ones must still
 * get a column rather than vanish.
 */
export function orderEnvironments(environments: readonly string[], configured: readonly string[]): string[] {
  const rank = new Map(configured.map((e, i) => [e.trim().toLowerCase(), i]));
  const known = (e: string) => rank.get(e.trim().toLowerCase());
  return [...new Set(environments)].sort((a, b) => {
    const ra = known(a);
    const rb = known(b);
    if (ra !== undefined && rb !== undefined) return ra - rb || a.localeCompare(b);
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return a.localeCompare(b);
  });
}

/** A push deployment's state in the matrix's vocabulary (the newest request of the application, whatever its state). */
export function pushResultOf(state: string): TMatrixResult {
  switch (state) {
    case "succeeded":
      return "succeeded";
    case "failed":
    case "plan-changed":
      return "failed";
    case "pending-approval":
      return "awaiting-approval";
    case "approved":
    case "queued":
    case "running":
      return "syncing";
    case "rejected":
      return "rejected";
    default:
      // cancelled, superseded: the request ended without changing the cluster.
      return "cancelled";
  }
}

/** A pull repository's reported state in the matrix's vocabulary. */
export function pullResultOf(state: string | null | undefined): TMatrixResult {
  switch (state) {
    case "in-sync":
      return "succeeded";
    case "failed":
      return "failed";
    case "drifted":
      return "drifted";
    case "pending-approval":
      return "awaiting-approval";
    case "out-of-sync":
      return "syncing";
    default:
      return "none";
  }
}

/**
 * Whether two live revisions are the same: by commit when both have one (a commit rendered with each environment's
 * own values is still the same version), else by rendered manifests digest (pasted manifests); null when neither
 * applies, so the page does not claim a difference it cannot see.
 */
export function sameRevision(a: TMatrixRevision, b: TMatrixRevision): boolean | null {
  if (a.commitSha && b.commitSha) return a.commitSha.toLowerCase() === b.commitSha.toLowerCase();
  if (a.manifestsDigest && b.manifestsDigest) return a.manifestsDigest === b.manifestsDigest;
  return null;
}

/**
 * Marks each entry of a row against the nearest earlier environment that has something live: differs when its
 * revision matches none of that environment's (several targets may hold the application there).
 */
export function markDifferences(cells: TMatrixEntry[][]): void {
  let previous: TMatrixRevision[] = [];
  for (const cell of cells) {
    const live = cell.flatMap((e) => (e.revision ? [e.revision] : []));
    for (const entry of cell) {
      if (!entry.revision || previous.length === 0) {
        entry.differsFromPrevious = null;
        continue;
      }
      const verdicts = previous.map((p) => sameRevision(entry.revision!, p));
      entry.differsFromPrevious = verdicts.some((v) => v === true)
        ? false
        : verdicts.every((v) => v === null)
          ? null
          : true;
    }
    if (live.length) previous = live;
  }
}
