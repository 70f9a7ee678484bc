import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { ZGitLocalRoots } from "@/lib/process/git";
import { AgentError } from "./errors";
import type { GitCredentials } from "./git";
import type { RegistryCredential } from "./registry";

/** Where the agent reaches its cluster. */
export type KubeAccess = { mode: "in-cluster" } | { mode: "kubeconfig"; path: string; context?: string };

/** The agent's validated configuration. Secrets stay in files; only their paths (and the Wharf credential) live here. */
export interface AgentConfig {
  wharfUrl: string;
  credential?: string;
  enrolmentToken?: string;
  stateDir: string;
  kube: KubeAccess;
  git: GitCredentials;
  /** Directories `file://` repositories may come from (WHARF_GIT_LOCAL_ROOTS); none by default. */
  gitLocalRoots: string[];
  registryCredentials: Record<string, RegistryCredential>;
  /**
   * In-cluster: the Secret (in the pod's namespace) the agent writes its credential into after enrolment, so a
   * re-created pod (whose emptyDir state is gone) still has it; the Deployment mounts the same Secret.
   */
  credentialSecret?: { namespace: string; name: string };
}

const optionalText = z.string().trim().min(1).optional().catch(undefined);
const optionalFile = z
  .string()
  .trim()
  .min(1)
  .optional()
  .refine((p) => p === undefined || fs.existsSync(p), "file not found");

const ZAgentEnv = z.object({
  WHARF_URL: z.url({ protocol: /^https?$/, error: "WHARF_URL must be the dashboard's http(s) URL" }),
  WHARF_AGENT_CREDENTIAL: optionalText,
  // Keys of one mounted Secret: a missing key (no credential yet, enrolment token removed) is simply unset.
  WHARF_AGENT_CREDENTIAL_FILE: optionalText,
  WHARF_ENROLMENT_TOKEN: optionalText,
  WHARF_ENROLMENT_TOKEN_FILE: optionalText,
  WHARF_AGENT_CREDENTIAL_SECRET: optionalText,
  POD_NAMESPACE: optionalText,
  WHARF_AGENT_STATE_DIR: z.string().trim().min(1).default(path.join(process.cwd(), ".wharf-agent")),
  KUBERNETES_SERVICE_HOST: optionalText,
  WHARF_AGENT_KUBECONFIG: optionalFile,
  KUBECONFIG: optionalText,
  WHARF_AGENT_KUBE_CONTEXT: optionalText,
  WHARF_GIT_CREDENTIALS_DIR: z
    .string()
    .trim()
    .min(1)
    .optional()
    .refine((p) => p === undefined || fs.existsSync(p), "directory not found"),
  WHARF_GIT_CREDENTIALS_FILE: optionalFile,
  WHARF_GIT_LOCAL_ROOTS: ZGitLocalRoots,
  WHARF_GIT_SSH_KEY_FILE: optionalFile,
  WHARF_GIT_KNOWN_HOSTS_FILE: optionalFile,
  WHARF_REGISTRY_CREDENTIALS_FILE: optionalFile,
});

function readSecretFile(file: string | undefined): string | undefined {
  return file && fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() || undefined : undefined;
}

/**
 * Registry credentials from a Docker `config.json` (`{"auths": {host: {auth | username+password | registrytoken}}}`,
 * the format of kubernetes.io/dockerconfigjson Secrets) or a plain `{host: {username, password} | {token}}` map.
 */
export function parseRegistryCredentials(text: string): Record<string, RegistryCredential> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AgentError("CONFIG_INVALID", "registry credentials file is not valid JSON");
  }
  const record = (v: unknown): Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const root = record(raw);
  const entries = "auths" in root ? record(root.auths) : root;
  const out: Record<string, RegistryCredential> = {};
  for (const [hostKey, value] of Object.entries(entries)) {
    const entry = record(value);
    const host = hostKey.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    if (typeof entry.registrytoken === "string") out[host] = { token: entry.registrytoken };
    else if (typeof entry.token === "string") out[host] = { token: entry.token };
    else if (typeof entry.username === "string" && typeof entry.password === "string")
      out[host] = { username: entry.username, password: entry.password };
    else if (typeof entry.auth === "string") {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) out[host] = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  return out;
}

/**
 * Reads and validates the agent's configuration from the environment (the agent's one reader of process.env).
 * Errors name the variable, never its value.
 */
export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const parsed = ZAgentEnv.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new AgentError("CONFIG_INVALID", `invalid agent configuration: ${issues}`);
  }
  const e = parsed.data;
  const credential = e.WHARF_AGENT_CREDENTIAL ?? readSecretFile(e.WHARF_AGENT_CREDENTIAL_FILE);
  const enrolmentToken = e.WHARF_ENROLMENT_TOKEN ?? readSecretFile(e.WHARF_ENROLMENT_TOKEN_FILE);
  const stateDir = path.resolve(e.WHARF_AGENT_STATE_DIR);
  if (!credential && !enrolmentToken && !fs.existsSync(path.join(stateDir, "credential"))) {
    throw new AgentError(
      "CONFIG_INVALID",
      "set WHARF_AGENT_CREDENTIAL (or _FILE) or WHARF_ENROLMENT_TOKEN (or _FILE): the agent has no credential yet",
    );
  }

  let kube: KubeAccess;
  if (e.WHARF_AGENT_KUBECONFIG)
    kube = {
      mode: "kubeconfig",
      path: e.WHARF_AGENT_KUBECONFIG,
      ...(e.WHARF_AGENT_KUBE_CONTEXT ? { context: e.WHARF_AGENT_KUBE_CONTEXT } : {}),
    };
  else if (e.KUBERNETES_SERVICE_HOST) kube = { mode: "in-cluster" };
  else {
    const file = e.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(os.homedir(), ".kube", "config");
    if (!fs.existsSync(file))
      throw new AgentError(
        "CONFIG_INVALID",
        "no cluster access: not running in a pod, and neither WHARF_AGENT_KUBECONFIG nor KUBECONFIG names a kubeconfig file",
      );
    kube = {
      mode: "kubeconfig",
      path: file,
      ...(e.WHARF_AGENT_KUBE_CONTEXT ? { context: e.WHARF_AGENT_KUBE_CONTEXT } : {}),
    };
  }

  // A mounted Secret directory (keys git-credentials, ssh-privatekey, known_hosts) fills what single files did not.
  const fromDir = (name: string) => {
    const file = e.WHARF_GIT_CREDENTIALS_DIR ? path.join(e.WHARF_GIT_CREDENTIALS_DIR, name) : undefined;
    return file && fs.existsSync(file) ? file : undefined;
  };
  const git: GitCredentials = {};
  const store = e.WHARF_GIT_CREDENTIALS_FILE ?? fromDir("git-credentials");
  const sshKey = e.WHARF_GIT_SSH_KEY_FILE ?? fromDir("ssh-privatekey");
  const knownHosts = e.WHARF_GIT_KNOWN_HOSTS_FILE ?? fromDir("known_hosts");
  if (store) git.credentialStoreFile = path.resolve(store);
  if (sshKey) git.sshKeyFile = path.resolve(sshKey);
  if (knownHosts) git.knownHostsFile = path.resolve(knownHosts);

  const registryFile = e.WHARF_REGISTRY_CREDENTIALS_FILE;
  return {
    wharfUrl: e.WHARF_URL,
    ...(credential ? { credential } : {}),
    ...(enrolmentToken ? { enrolmentToken } : {}),
    stateDir,
    kube,
    git,
    gitLocalRoots: e.WHARF_GIT_LOCAL_ROOTS,
    registryCredentials: registryFile ? parseRegistryCredentials(fs.readFileSync(registryFile, "utf8")) : {},
    ...(e.WHARF_AGENT_CREDENTIAL_SECRET && e.POD_NAMESPACE
      ? { credentialSecret: { namespace: e.POD_NAMESPACE, name: e.WHARF_AGENT_CREDENTIAL_SECRET } }
      : {}),
  };
}
