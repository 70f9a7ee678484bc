import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { withDecryptedCredential, type DecryptPurpose } from "@/lib/credentials/data/with-decrypted-credential";
import { targetConnection, type TargetEndpoint } from "@/lib/credentials/material";
import { db } from "@/lib/db";
import { createKubeClient, kubeConfigFor, type KubeClient, type KubeClientOptions } from "@/lib/kube";
import { helmCapabilities } from "@/lib/render";

/** The id of the target's active credential (the newest), or null when it has none. */
export async function activeCredentialId(targetId: string): Promise<string | null> {
  const row = await db().credential.findFirst({
    where: { targetId, state: "active" },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  return row?.id ?? null;
}

/**
 * Runs `fn` with a client of the target's cluster as the holder of its credential: decrypted through
 * withDecryptedCredential (its `credential.decrypted` audit row in the decrypt's own transaction), the plaintext in
 * this closure and the client's in-memory kubeconfig only, the client closed afterwards. Previews and the request's
 * chart rendering reach a push target this way.
 */
export async function withTargetClient<T>(
  opts: {
    target: TargetEndpoint;
    credentialId: string;
    actor: Actor;
    purpose: DecryptPurpose;
    request: RequestContext;
    retry?: KubeClientOptions["retry"];
    /** The clock of an aggregated purpose's audit window (`status`); tests move it. */
    now?: Date;
  },
  fn: (client: KubeClient) => Promise<T>,
): Promise<T> {
  return withDecryptedCredential(
    opts.credentialId,
    { actor: opts.actor, purpose: opts.purpose, request: opts.request, ...(opts.now ? { now: opts.now } : {}) },
    async (material) => {
      const client = createKubeClient(kubeConfigFor(targetConnection(opts.target, material)), {
        clusterName: opts.target.name,
        ...(opts.retry ? { retry: opts.retry } : {}),
      });
      try {
        return await fn(client);
      } finally {
        await client.close().catch(() => undefined);
      }
    },
  );
}

/** How long a request waits for the target's discovery before rendering without it. */
const DISCOVERY_TIMEOUT_MS = 10_000;

/** The target's versions for Helm's `.Capabilities`, or why they are missing (`note`, shown with the preview). */
export interface TargetVersions {
  kubeVersion?: string;
  apiVersions: string[];
  note?: string;
}

/**
 * The target's Kubernetes version and API versions (lib/render helmCapabilities), asked of its cluster when a push
 * request renders a Helm chart, so `--kube-version`/`--api-versions` describe the real target as the agent's do for
 * pull. Never throws: with no credential, a credential that cannot be decrypted or a cluster that does not answer
 * within 10 s, the chart renders with Helm's defaults and `note` says so — a request is not refused because the
 * cluster is down (its preview says that too, and the run retries against the cluster).
 */
export async function discoverTargetVersions(opts: {
  target: TargetEndpoint & { id: string };
  actor: Actor;
  request: RequestContext;
}): Promise<TargetVersions> {
  const without = (why: string): TargetVersions => ({
    apiVersions: [],
    note: `Rendered without the target's Kubernetes version and API versions (Helm's defaults instead): ${why}`,
  });
  const credentialId = await activeCredentialId(opts.target.id);
  if (!credentialId) return without(`${opts.target.name} has no stored credential.`);
  try {
    const versions = await withTargetClient(
      {
        target: opts.target,
        credentialId,
        actor: opts.actor,
        purpose: { kind: "render", id: opts.target.id },
        request: opts.request,
      },
      (client) => {
        const signal = AbortSignal.timeout(DISCOVERY_TIMEOUT_MS);
        return helmCapabilities({
          request: (method, path, options) => client.request(method, path, { ...options, signal }),
        });
      },
    );
    // helmCapabilities answers every failure with nothing: no version and no API version means no answer.
    if (!versions.kubeVersion && versions.apiVersions.length === 0)
      return without(`the cluster of ${opts.target.name} did not answer its discovery.`);
    return versions;
  } catch (err) {
    return without(
      `Wharf could not use the credential of ${opts.target.name} (${err instanceof Error ? err.message : String(err)}).`,
    );
  }
}
