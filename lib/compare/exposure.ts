import type { AgeBars } from "./figures";

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
  /**
   * Decrypts in the range (`credential.decrypted` events, a use summary counting the reads it stands for, and the
   * reads of windows not summarised yet): each is plaintext in a dashboard process's memory.
   */
  decrypts: number;
  /** Of those, the credential uses to observe the cluster: reads of push applications' live state (purpose status). */
  statusReads: number;
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
  /** Credential uses to observe the cluster: none, the agent reports what it sees. */
  statusReads: 0;
}
