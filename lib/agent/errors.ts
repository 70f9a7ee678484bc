/**
 * Why an agent operation failed. Codes are stable (they travel to Wharf in `failed` events and decide retries);
 * messages are for people and never carry credentials.
 */
export type AgentErrorCode =
  | "CONFIG_INVALID"
  | "ENROLMENT_FAILED"
  | "GIT_UNREACHABLE"
  | "GIT_BRANCH_MISSING"
  | "GIT_REVISION_MISSING"
  | "GIT_PATH_MISSING"
  | "GIT_FAILED"
  | "KUSTOMIZE_UNAVAILABLE"
  | "KUSTOMIZE_FAILED"
  | "HELM_UNAVAILABLE"
  | "HELM_FAILED"
  | "MANIFESTS_INVALID"
  | "SPEC_UNKNOWN"
  | "REGISTRY_UNREACHABLE"
  | "REGISTRY_AUTH_FAILED"
  | "REGISTRY_FAILED"
  | "IMAGE_POLICY_INVALID"
  | "NO_MATCHING_TAG"
  | "APPLY_FAILED"
  | "ROLLOUT_FAILED"
  | "CLUSTER_UNREACHABLE"
  | "WHARF_UNREACHABLE"
  | "WHARF_REJECTED"
  | "WHARF_FORBIDDEN";

/** Codes caused by something outside the agent that may heal by itself: retried with backoff. */
const TRANSIENT: ReadonlySet<AgentErrorCode> = new Set([
  "GIT_UNREACHABLE",
  "REGISTRY_UNREACHABLE",
  "CLUSTER_UNREACHABLE",
  "WHARF_UNREACHABLE",
]);

/** The agent's one error type: a code, a message fit for a sync history row, and optional structured details. */
export class AgentError extends Error {
  override readonly name = "AgentError";
  readonly code: AgentErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: AgentErrorCode,
    message: string,
    opts: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.details = opts.details;
  }

  /** Whether retrying later (with backoff) may succeed without anyone changing anything. */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
}

// One redaction for every tool's output; re-exported because agent code and tests know it from here.
export { redactUrls } from "@/lib/process/run-tool";
