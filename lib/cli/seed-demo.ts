import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { generatePassword, hashPassword } from "@/lib/auth/secrets";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { defaultStatusReadIntervalSeconds } from "@/lib/targets/schemas";
import { applyManifests, createKubeClient, kubeConfigFor, type KubeObject } from "@/lib/kube";
import type { Sandbox } from "@/lib/kube/sandbox";
import { seedPullDemo } from "./demo-pull";

export interface SeedResult {
  seeded: boolean;
  adminEmail: string;
  /** Only when Wharf generated it: printed once, never stored in plaintext. */
  generatedPassword: string | null;
}

interface DemoTarget {
  name: string;
  environment: string;
  mode: "push" | "pull";
  ownerTeam: string;
  requiredApprovals: number;
  /** Lifetime of the demo ServiceAccount token, so the rotation page shows every status. */
  tokenDays?: number;
}

/** The demo world: targets in both modes and environments, one policy per environment class. */
const DEMO_TARGETS: DemoTarget[] = [
  { name: "shop-dev", environment: "dev", mode: "push", ownerTeam: "storefront", requiredApprovals: 0, tokenDays: 30 },
  {
    name: "shop-staging",
    environment: "staging",
    mode: "push",
    ownerTeam: "storefront",
    requiredApprovals: 1,
    tokenDays: 60,
  },
  {
    name: "payments-prod",
    environment: "prod",
    mode: "push",
    ownerTeam: "payments",
    requiredApprovals: 2,
    tokenDays: 3,
  },
  { name: "web-staging", environment: "staging", mode: "pull", ownerTeam: "web", requiredApprovals: 0 },
  { name: "edge-prod", environment: "prod", mode: "pull", ownerTeam: "edge", requiredApprovals: 1 },
];

/**
 * Gives each demo push target what a platform team would: a ServiceAccount in the sandbox bound to `admin` in the
 * target's namespace only, and its token stored (encrypted) as the target's credential.
 */
async function issueDemoCredentials(
  sandbox: Sandbox,
  targets: { id: string; name: string; tokenDays: number }[],
): Promise<void> {
  const client = createKubeClient(
    kubeConfigFor({ name: "sandbox", server: sandbox.url, caPem: sandbox.caPem, token: sandbox.adminToken }),
  );
  try {
    const objects: KubeObject[] = targets.flatMap((t) => [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: t.name } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: `wharf-${t.name}`, namespace: "kube-system" } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "wharf-deployer", namespace: t.name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
        subjects: [{ kind: "ServiceAccount", name: `wharf-${t.name}`, namespace: "kube-system" }],
      },
      // Automatic rotation asks for the next token with the current one, so the ServiceAccount may mint its own.
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: `wharf-${t.name}-self-token`, namespace: "kube-system" },
        rules: [
          {
            apiGroups: [""],
            resources: ["serviceaccounts/token"],
            verbs: ["create"],
            resourceNames: [`wharf-${t.name}`],
          },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `wharf-${t.name}-self-token`, namespace: "kube-system" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `wharf-${t.name}-self-token` },
        subjects: [{ kind: "ServiceAccount", name: `wharf-${t.name}`, namespace: "kube-system" }],
      },
    ]);
    const report = await applyManifests(client, objects, { fieldManager: "wharf-demo-setup" });
    if (!report.ok) throw new Error("could not prepare the sandbox for the demo targets");
  } finally {
    await client.close();
  }
  for (const t of targets) {
    const token = sandbox.mintToken({
      serviceAccount: { namespace: "kube-system", name: `wharf-${t.name}` },
      expirationSeconds: t.tokenDays * 86_400,
    });
    await saveCredential({
      targetId: t.id,
      input: { kind: "service-account-token", token },
      actor: SYSTEM_ACTOR,
      actorRole: "admin",
      actorUserId: null,
      request: NO_REQUEST,
    });
  }
}

/**
 * Seeds an empty database: the first admin (WHARF_ADMIN_EMAIL / WHARF_ADMIN_PASSWORD, else a generated password),
 * credential policies and, unless WHARF_SEED_DEMO=false, demo targets — on the sandbox cluster when one runs, with
 * real ServiceAccount tokens for the push targets. Does nothing when any user exists.
 */
export async function seedIfEmpty(opts: { sandbox: Sandbox | null }): Promise<SeedResult> {
  const e = env();
  if ((await db().user.count()) > 0) return { seeded: false, adminEmail: e.WHARF_ADMIN_EMAIL, generatedPassword: null };
  const generatedPassword = e.WHARF_ADMIN_PASSWORD ? null : generatePassword();
  const passwordHash = await hashPassword(e.WHARF_ADMIN_PASSWORD ?? generatedPassword ?? "");
  const serverUrl = opts.sandbox?.url ?? "https://127.0.0.1:6443";
  const created = await db().$transaction(async (tx) => {
    const admin = await tx.user.create({
      data: { email: e.WHARF_ADMIN_EMAIL, name: "Wharf admin", role: "admin", passwordHash },
    });
    await recordAuditEvent(tx, {
      actor: SYSTEM_ACTOR,
      action: "user.created",
      subjectType: "user",
      subjectId: admin.id,
      details: { role: "admin", reason: "first start" },
    });
    if (e.WHARF_SEED_DEMO === "false") return [];
    const prodPolicy = await tx.credentialPolicy.create({
      data: {
        name: "production",
        maxAgeDays: 30,
        warnBeforeDays: 7,
        minReplaceRole: "admin",
        autoRotate: true,
        environment: "prod",
      },
    });
    const stagingPolicy = await tx.credentialPolicy.create({
      data: {
        name: "pre-production",
        maxAgeDays: 90,
        warnBeforeDays: 14,
        minReplaceRole: "approver",
        autoRotate: false,
        environment: "staging",
      },
    });
    for (const p of [prodPolicy, stagingPolicy]) {
      await recordAuditEvent(tx, {
        actor: SYSTEM_ACTOR,
        action: "policy.created",
        subjectType: "policy",
        subjectId: p.id,
        details: { name: p.name },
      });
    }
    const targets: { id: string; name: string; tokenDays: number }[] = [];
    for (const { tokenDays, ...t } of DEMO_TARGETS) {
      const target = await tx.target.create({
        data: {
          ...t,
          serverUrl,
          caBundle: opts.sandbox?.caPem ?? null,
          defaultNamespace: t.name,
          allowedNamespaces: JSON.stringify([t.name]),
          // As a new target: background live-state reads every 300 s on dev and staging, off on prod.
          statusReadIntervalSeconds: defaultStatusReadIntervalSeconds(t.environment, t.mode),
        },
      });
      await recordAuditEvent(tx, {
        actor: SYSTEM_ACTOR,
        action: "target.created",
        subjectType: "target",
        subjectId: target.id,
        targetId: target.id,
        details: { name: t.name, demo: true },
      });
      if (t.mode === "push" && tokenDays) targets.push({ id: target.id, name: t.name, tokenDays });
    }
    return targets;
  });
  if (opts.sandbox && created.length) await issueDemoCredentials(opts.sandbox, created);
  if (opts.sandbox && e.WHARF_SEED_DEMO !== "false") await seedPullDemo();
  return { seeded: true, adminEmail: e.WHARF_ADMIN_EMAIL, generatedPassword };
}
