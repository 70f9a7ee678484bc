/**
 * Sandbox cluster: a Kubernetes API server emulator (HTTPS, bearer tokens, RBAC, server-side apply, watch, a
 * workload simulator) for trying Wharf without a cluster and for testing against something that behaves like one.
 */
export type { MintTokenOptions, Sandbox, SandboxOptions } from "./types";
export { startSandbox } from "./server";
