/** The few API calls the control plane's own setup makes, over HTTPS with the admin token; and TokenRequest. */
import https from "node:https";
import type { MintTokenOptions, RealClusterInfo } from "./types";

export interface ApiResponse {
  status: number;
  body: string;
}

export function apiRequest(
  info: Pick<RealClusterInfo, "url" | "caPem" | "adminToken">,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<ApiResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(urlPath, info.url),
      {
        method,
        ca: info.caPem,
        agent: false,
        timeout: 10_000,
        headers: {
          Authorization: `Bearer ${info.adminToken}`,
          Accept: "application/json",
          ...(payload !== undefined ? { "Content-Type": "application/json" } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Creates an object, treating "already exists" as success (setup is idempotent). */
async function ensure(info: RealClusterInfo, collectionPath: string, object: unknown): Promise<void> {
  const res = await apiRequest(info, "POST", collectionPath, object);
  if (res.status !== 201 && res.status !== 409)
    throw new Error(`POST ${collectionPath}: ${res.status} ${res.body.slice(0, 300)}`);
}

/**
 * A ServiceAccount token from the TokenRequest API, as the sandbox's mintToken gives one: the namespace and the
 * ServiceAccount are created when missing. The API server enforces the 10-minute minimum itself; checked here first so
 * both legs fail the same way.
 */
export async function mintServiceAccountToken(info: RealClusterInfo, opts: MintTokenOptions): Promise<string> {
  const seconds = opts.expirationSeconds ?? 3600;
  if (seconds < 600)
    throw new Error("expirationSeconds may not be less than 600 (10 minutes), as with the TokenRequest API");
  if (!opts.serviceAccount) {
    throw new Error(
      "the real control plane mints ServiceAccount tokens only (opts.serviceAccount); named users have no token it would trust",
    );
  }
  const { namespace, name } = opts.serviceAccount;
  const ns = encodeURIComponent(namespace);
  await ensure(info, "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  await ensure(info, `/api/v1/namespaces/${ns}/serviceaccounts`, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name },
  });
  const res = await apiRequest(
    info,
    "POST",
    `/api/v1/namespaces/${ns}/serviceaccounts/${encodeURIComponent(name)}/token`,
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: seconds },
    },
  );
  if (res.status !== 201)
    throw new Error(`TokenRequest for ${namespace}/${name}: ${res.status} ${res.body.slice(0, 300)}`);
  const token = (JSON.parse(res.body) as { status?: { token?: string } }).status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  return token;
}
