// The sandbox generates its CA with @peculiar/x509, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { SYSTEM_ACTOR, NO_REQUEST } from "@/lib/audit/schemas";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { dbFor } from "@/lib/db/client";
import { applyManifests, createKubeClient, kubeConfigFor, type KubeObject } from "@/lib/kube";
import type { MintTokenOptions } from "@/lib/kube/sandbox";

/** The sandbox, or either leg's TestCluster (tests/support/cluster.ts): what a push target needs of a cluster. */
export interface PushTargetCluster {
  url: string;
  caPem: string;
  adminToken: string;
  mintToken(opts: MintTokenOptions): string | Promise<string>;
}

export interface SandboxPushTarget {
  targetId: string;
  name: string;
  namespaces: string[];
  /** The ServiceAccount token stored (encrypted) as the target's credential; for assertions only. */
  token: string;
  serviceAccount: { namespace: string; name: string };
}

/** The Role and RoleBinding (`<sa>-self-token`) that let a ServiceAccount request tokens for itself, as rotation needs. */
export function selfTokenRbac(sa: { namespace: string; name: string }): KubeObject[] {
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: `${sa.name}-self-token`, namespace: sa.namespace },
      rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"], resourceNames: [sa.name] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: `${sa.name}-self-token`, namespace: sa.namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${sa.name}-self-token` },
      subjects: [{ kind: "ServiceAccount", name: sa.name, namespace: sa.namespace }],
    },
  ];
}

/**
 * A push target on the test cluster (sandbox or real), set up the way a platform team would: a ServiceAccount bound to the `admin`
 * ClusterRole in each allowed namespace only (or cluster-admin when asked), its token stored through the vault.
 */
export async function createSandboxPushTarget(
  cluster: PushTargetCluster,
  opts: {
    databaseUrl: string;
    namespaces?: string[];
    clusterAdmin?: boolean;
    requiredApprovals?: number;
    allowClusterScoped?: boolean;
    environment?: string;
    /** Lets the ServiceAccount request tokens for itself (Role and RoleBinding `<sa>-self-token`), as rotation needs. */
    canRequestOwnToken?: boolean;
  },
): Promise<SandboxPushTarget> {
  const suffix = randomBytes(3).toString("hex");
  const name = `sb-${suffix}`;
  const namespaces = opts.namespaces ?? [`app-${suffix}`];
  const sa = { namespace: "kube-system", name: `wharf-${suffix}` };
  const admin = createKubeClient(
    kubeConfigFor({ name: "test-cluster", server: cluster.url, caPem: cluster.caPem, token: cluster.adminToken }),
  );
  const rbac: KubeObject[] = [
    ...namespaces.map((ns) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: sa.name, namespace: sa.namespace } },
    ...(opts.clusterAdmin
      ? [
          {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: `${sa.name}-cluster-admin` },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
            subjects: [{ kind: "ServiceAccount", name: sa.name, namespace: sa.namespace }],
          },
        ]
      : namespaces.map((ns) => ({
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: `${sa.name}-admin`, namespace: ns },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
          subjects: [{ kind: "ServiceAccount", name: sa.name, namespace: sa.namespace }],
        }))),
    ...(opts.canRequestOwnToken ? selfTokenRbac(sa) : []),
  ];
  const report = await applyManifests(admin, rbac, { fieldManager: "test-setup" });
  if (!report.ok)
    throw new Error(
      `push target RBAC setup failed: ${JSON.stringify(report.results.filter((r) => r.action === "failed"))}`,
    );
  await admin.close();

  const token = await cluster.mintToken({ serviceAccount: sa, expirationSeconds: 86_400 });
  const db = dbFor(opts.databaseUrl);
  const target = await db.target.create({
    data: {
      name,
      environment: opts.environment ?? "dev",
      mode: "push",
      serverUrl: cluster.url,
      caBundle: cluster.caPem,
      defaultNamespace: namespaces[0]!,
      allowedNamespaces: JSON.stringify(namespaces),
      allowClusterScoped: !!opts.allowClusterScoped,
      requiredApprovals: opts.requiredApprovals ?? 0,
    },
  });
  await saveCredential({
    targetId: target.id,
    input: { kind: "service-account-token", token },
    actor: SYSTEM_ACTOR,
    actorRole: "admin",
    actorUserId: null,
    request: NO_REQUEST,
  });
  return { targetId: target.id, name, namespaces, token, serviceAccount: sa };
}
