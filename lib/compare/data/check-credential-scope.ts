import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createKubeClient, KubeError, kubeConfigFor, selfSubjectRulesReview } from "@/lib/kube";
import { isClusterAdminEquivalent, type ScopeSummary } from "../exposure";

export interface CredentialScopeResult extends ScopeSummary {
  credentialId: string;
  namespace: string;
  /** The API server said its answer may be incomplete (e.g. a webhook authorizer): cluster-admin is then a lower bound. */
  incomplete: boolean;
}

/**
 * Asks the cluster what the target's active credential may do (SelfSubjectRulesReview in the target's default
 * namespace, which includes cluster-wide bindings) and stores the verdict in `Credential.scopeSummary`, so the
 * comparison can flag cluster-admin-equivalent credentials without a cluster call per page view. The decrypt is
 * audited (`credential.decrypted`, purpose `scope-check`). Run it after a credential is stored or rotated, or from
 * the comparison's "Check" button.
 */
export async function checkCredentialScope(opts: { credentialId: string; actor: Actor; request: RequestContext; now?: Date }): Promise<CredentialScopeResult> {
  const row = await db().credential.findUnique({
    where: { id: opts.credentialId },
    select: { id: true, state: true, target: { select: { name: true, serverUrl: true, caBundle: true, insecureSkipTlsVerify: true, defaultNamespace: true } } },
  });
  if (!row) throw new AppError("NOT_FOUND", "There is no credential with this id.");
  const target = row.target;
  const review = await withDecryptedCredential(row.id, { actor: opts.actor, purpose: { kind: "scope-check", id: row.id }, request: opts.request }, async (material) => {
    const client = createKubeClient(
      kubeConfigFor({
        name: target.name,
        server: target.serverUrl,
        ...(target.caBundle ? { caPem: target.caBundle } : {}),
        insecureSkipTlsVerify: target.insecureSkipTlsVerify,
        namespace: target.defaultNamespace,
        ...(material.kind === "client-certificate" ? { clientCertPem: material.certPem, clientKeyPem: material.keyPem } : { token: material.token }),
      }),
      { clusterName: target.name, retry: { attempts: 2, maxDelayMs: 1000 } },
    );
    try {
      return await selfSubjectRulesReview(client, target.defaultNamespace);
    } catch (err) {
      const message = err instanceof KubeError ? err.serverMessage : err instanceof Error ? err.message : String(err);
      throw new AppError("SCOPE_CHECK_FAILED", `The cluster did not answer the rules review: ${message}`);
    } finally {
      await client.close().catch(() => undefined);
    }
  });
  const summary: ScopeSummary & { namespace: string; incomplete: boolean } = {
    clusterAdmin: isClusterAdminEquivalent(review.resourceRules),
    checkedAt: (opts.now ?? new Date()).toISOString(),
    namespace: target.defaultNamespace,
    incomplete: review.incomplete,
  };
  await db().credential.update({ where: { id: row.id }, data: { scopeSummary: JSON.stringify(summary) } });
  return { credentialId: row.id, ...summary };
}

/** Active push credentials whose scope was never checked (for the comparison's "Check" button), oldest first. */
export async function listUncheckedCredentialIds(opts: { environment?: string | null; targetId?: string; limit?: number }): Promise<string[]> {
  const rows = await db().credential.findMany({
    where: {
      state: "active",
      scopeSummary: null,
      target: { mode: "push", ...(opts.environment ? { environment: opts.environment } : {}), ...(opts.targetId ? { id: opts.targetId } : {}) },
    },
    orderBy: { createdAt: "asc" },
    take: opts.limit ?? 50,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
