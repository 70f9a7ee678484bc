import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { runTool, ToolError, type RunToolOptions, type ToolResult } from "../run-tool";

/**
 * The one git policy of push and pull (lib/deployments/git-source.ts and lib/agent/git.ts go through ./client.ts):
 * which transports git may use, which local directories a `file://` URL may name, the environment git runs with,
 * how a failure is classified.
 */

export interface GitRunOptions extends Omit<RunToolOptions, "env"> {
  /** Extra variables (e.g. GIT_SSH_COMMAND); the base is run-tool's minimal environment plus GIT_ENV. */
  env?: Record<string, string>;
  /** Extra `-c key=value` settings, placed after the policy's own. */
  config?: readonly string[];
  /** Transports beyond https/http/git: `ssh` (the agent, which has keys) and `file` (only after `checkGitUrl`). */
  allow?: { ssh?: boolean; file?: boolean };
}

/**
 * Never prompt (a prompt would hang the request or the agent), never read the machine's or the user's git config
 * (a `credential.helper`, `url.<x>.insteadOf` or `core.sshCommand` there would change what Wharf fetches), and
 * protocols named by users (submodules, redirects) count as untrusted.
 */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_TERMINAL_PROMPT: "0",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_PROTOCOL_FROM_USER: "0",
  // Replace refs could make a commit read as another one; Wharf never writes any, a fetched one is ignored.
  GIT_NO_REPLACE_OBJECTS: "1",
};

/** The transports a run may use: https, http and git always, ssh and file only when the caller says so. */
export function allowedProtocols(allow: GitRunOptions["allow"] = {}): string[] {
  return ["https", "http", "git", ...(allow.ssh ? ["ssh"] : []), ...(allow.file ? ["file"] : [])];
}

/**
 * Only the transports Wharf allows, whatever a repository's config or a remote says (no ext::, fd::, …). Said twice
 * on purpose: as `-c protocol.*` settings and as GIT_ALLOW_PROTOCOL, which overrides any configuration, including a
 * cache's own, and reaches every git a run starts (submodule helpers, remote helpers).
 */
function policyConfig(allow: GitRunOptions["allow"] = {}): string[] {
  const allowed = allowedProtocols(allow);
  // An empty helper first clears any inherited one; a caller may then name its own. Redirects are never followed:
  // git's default follows them on the first request, so a remote a deployer names could send the dashboard (or the
  // agent, inside the cluster) to an address the deployer cannot reach themselves.
  return [
    "protocol.allow=never",
    ...allowed.map((p) => `protocol.${p}.allow=always`),
    "credential.helper=",
    "http.followRedirects=false",
  ].flatMap((c) => ["-c", c]);
}

/** Runs `git <args>` under the policy: argument array, minimal environment, timeout and output cap from run-tool. */
export function runGit(args: readonly string[], opts: GitRunOptions = {}): Promise<ToolResult> {
  const { config = [], allow, env, ...rest } = opts;
  return runTool("git", [...policyConfig(allow), ...config.flatMap((c) => ["-c", c]), ...args], {
    ...rest,
    env: gitEnv(allow, env),
  });
}

/** The complete variables git gets on top of run-tool's PATH, HOME and locale: the policy's, then the caller's. */
export function gitEnv(allow?: GitRunOptions["allow"], extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...GIT_ENV, GIT_ALLOW_PROTOCOL: allowedProtocols(allow).join(":") };
}

/**
 * WHARF_GIT_LOCAL_ROOTS, for the dashboard (lib/env.ts) and the agent (lib/agent/config.ts) alike: comma-separated
 * absolute directories `file://` repositories may come from; unset or empty means none.
 */
export const ZGitLocalRoots = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
  )
  .refine((roots) => roots.every((p) => path.isAbsolute(p)), "must be a comma-separated list of absolute directories")
  .transform((roots) => roots.map((p) => path.resolve(p)));

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Whether `url` may be fetched: `file://` only from inside one of `localRoots` (absolute directories an administrator
 * allowed; none by default), so a deployer cannot read the host's repositories (Wharf's own checkout) or probe its
 * file system. The path is taken as git will read it and resolved through symlinks before the comparison; `.`/`..`
 * segments, `%`-escapes, a host, query or fragment are refused outright. The refusal says the same whether or not
 * the path exists. Other URLs pass (the schemas decide their form).
 */
export function checkGitUrl(
  url: string,
  localRoots: readonly string[],
): { ok: true; local: boolean } | { ok: false; message: string } {
  if (!/^file:/i.test(url)) return { ok: true, local: false };
  const refused = {
    ok: false as const,
    message: localRoots.length
      ? "file:// repositories are allowed only from the directories listed in WHARF_GIT_LOCAL_ROOTS."
      : "file:// repositories are not allowed here (an administrator can allow directories with WHARF_GIT_LOCAL_ROOTS).",
  };
  const raw = /^file:\/\/(\/.*)$/i.exec(url)?.[1];
  if (!raw || /[%?#\\\0]/.test(raw) || raw.split("/").some((part) => part === "." || part === "..")) return refused;
  const real = realOrResolved(raw);
  const inside = localRoots.some((root) => {
    const r = realOrResolved(root);
    return real === r || real.startsWith(r.endsWith(path.sep) ? r : `${r}${path.sep}`);
  });
  return inside ? { ok: true, local: true } : refused;
}

/**
 * Whether a failed fetch means "the remote answered like a git server, without this branch, tag or commit". Every
 * other failure (closed port, empty reply, timeout, missing repository, refused credentials, anything else) is
 * reported by both clients with one generic "could not reach the repository", so git's text cannot serve as a port
 * scanner or a file-exists oracle; its details go to the server's or agent's log only.
 */
export function isMissingRef(err: unknown): boolean {
  return (
    err instanceof ToolError &&
    err.kind === "exit" &&
    /couldn't find remote ref|remote branch .* not found|not our ref|no such remote ref|unadvertised object|invalid refspec/i.test(
      err.stderr,
    )
  );
}
