import { execFile } from "node:child_process";
import https from "node:https";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { Sandbox } from "@/lib/kube/sandbox";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs /usr/bin/kubectl against a cluster (the sandbox or the real one) with its own discovery cache (tests run in parallel). */
export async function kubectlRunner(
  sandbox: Pick<Sandbox, "kubeconfigPath">,
): Promise<(args: string[], opts?: { token?: string; input?: string }) => Promise<KubectlResult>> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), "wharf-kubectl-cache-"));
  return (args, opts = {}) =>
    new Promise((resolve) => {
      const full = [
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--cache-dir",
        cacheDir,
        ...(opts.token ? ["--token", opts.token] : []),
        ...args,
      ];
      const child = execFile(
        "/usr/bin/kubectl",
        full,
        { timeout: 30_000, env: { ...process.env, HOME: cacheDir } },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === "number"
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
}

/** A client-node KubeConfig built in memory from the sandbox URL, CA and a bearer token. */
export function kubeConfigFor(sandbox: Sandbox, token = sandbox.adminToken): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "sandbox",
        server: sandbox.url,
        caData: Buffer.from(sandbox.caPem).toString("base64"),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: "user", token }],
    contexts: [{ name: "sandbox", cluster: "sandbox", user: "user" }],
    currentContext: "sandbox",
  });
  return kc;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body; loosely typed because tests probe arbitrary API shapes. */
  json: any;
}

/** Plain HTTPS request to the sandbox (bearer token, verified against its CA). */
export function rawRequest(
  sandbox: Pick<Sandbox, "url" | "caPem" | "adminToken">,
  method: string,
  urlPath: string,
  opts: { body?: unknown; contentType?: string; accept?: string; token?: string | null } = {},
): Promise<RawResponse> {
  const url = new URL(urlPath, sandbox.url);
  const token = opts.token === undefined ? sandbox.adminToken : opts.token;
  const payload =
    opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: sandbox.caPem,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(payload !== undefined ? { "Content-Type": opts.contentType ?? "application/json" } : {}),
          Accept: opts.accept ?? "application/json",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
