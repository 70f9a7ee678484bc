import type { AgeBars } from "./figures";

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

export interface PushExposure {
  /** Active cluster credentials Wharf holds (one per push target at most). */
  credentials: number;
  byKind: { kind: string; count: number }[];
  /** Flagged cluster-admin-equivalent by the last successful scope check. */
  clusterAdmin: number;
  /** Credentials not checked yet (new ones wait for the scope sweeper); those whose checks failed are in `scopeCheckFailed`. */
  scopeUnchecked: number;
  /** Credentials whose last scope check failed (cluster unreachable, token refused); their last verdict, if any, stays. */
  scopeCheckFailed: number;
  /** The message of one such failure, to show why. */
  scopeCheckError: string | null;
  /** Ids of (up to 50) credentials never checked or whose last check failed, for the "Check now" button. */
  uncheckedIds: string[];
  status: { ok: number; dueSoon: number; rotationFailed: number; overdue: number; expired: number };
  ages: AgeBars;
  /** `credential.decrypted` audit rows in the range: each is plaintext in a dashboard process's memory. */
  decrypts: number;
  /** Refused attempts in the range: permission denials, credential access denials, agent scope denials. */
  denied: { auth: number; credential: number; agent: number };
}

export interface PullExposure {
  agents: number;
  enrolled: number;
  online: number;
  stale: number;
  /** Ages of the agents' Wharf credentials (`wharfa_…`), which reach Wharf's agent API only. */
  credentialAges: AgeBars;
  /** Cluster credentials Wharf holds for pull targets: none, by design. */
  clusterCredentialsHeld: 0;
}
