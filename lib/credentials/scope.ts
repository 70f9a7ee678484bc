// The cluster-admin check's pure half: what a rules review means and how its stored verdict reads. The check itself
// is data/check-credential-scope.ts, run by scope-sweeper.ts and "Check now".

/** What a stored credential may do on its cluster, as recorded in `Credential.scopeSummary` (JSON, the details of the last check). */
export interface ScopeSummary {
  /** True when a SelfSubjectRulesReview showed `*` verbs on `*` resources in `*` API groups (cluster-admin-equivalent). */
  clusterAdmin: boolean;
  checkedAt: string;
}

/** Reads `Credential.scopeSummary`; null when never checked or unreadable. */
export function parseScopeSummary(raw: string | null): ScopeSummary | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<ScopeSummary>;
    return typeof v.clusterAdmin === "boolean"
      ? { clusterAdmin: v.clusterAdmin, checkedAt: typeof v.checkedAt === "string" ? v.checkedAt : "" }
      : null;
  } catch {
    return null;
  }
}

/**
 * Whether a rules review grants everything: some rule with verb `*`, API group `*` and resource `*` — what the
 * cluster-admin ClusterRole binds. Anything narrower is not flagged.
 */
export function isClusterAdminEquivalent(
  rules: readonly { verbs: readonly string[]; apiGroups?: readonly string[]; resources?: readonly string[] }[],
): boolean {
  return rules.some(
    (r) => r.verbs.includes("*") && (r.apiGroups ?? []).includes("*") && (r.resources ?? []).includes("*"),
  );
}
