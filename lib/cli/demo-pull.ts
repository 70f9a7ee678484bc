import fs from "node:fs";
import path from "node:path";
import { startAgent, type RunningAgent } from "@/lib/agent/agent";
import { ensureDemoRepo } from "@/lib/agent/demo";
import { createAgent } from "@/lib/agents/data/create-agent";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { applyManifests, createKubeClient, kubeConfigFor, type KubeClient, type KubeObject } from "@/lib/kube";
import type { Sandbox } from "@/lib/kube/sandbox";
import { registerRepo } from "@/lib/repos/data/register-repo";

/** The seeded pull target the demo's `hello` repository is registered on. */
export const DEMO_PULL_TARGET = "web-staging";
/**
 * Every seeded pull target the demo agent serves: staging, and prod (which requires an approval), so a pull
 * application's revision can be promoted from one to the other through the approval rule.
 */
export const DEMO_AGENT_TARGETS = [DEMO_PULL_TARGET, "edge-prod"];
const AGENT_SA = { namespace: "kube-system", name: "wharf-agent-demo" };

/** Where the demo keeps its repositories and its agent's files: under the data directory. */
export function demoPaths() {
  const dir = env().dataDir;
  return {
    repo: path.join(dir, "demo-repo"),
    /** The demo applications' repository (lib/cli/demo-applications.ts) and the list of those seeded once. */
    appsRepo: path.join(dir, "demo-apps"),
    appsState: path.join(dir, "demo-applications.json"),
    state: path.join(dir, "agent"),
    enrolment: path.join(dir, "agent-enrolment-token"),
  };
}

/**
 * First start only: a Git repository on disk, registered on the demo pull target with a 5 s poll (a local file
 * repository sends no webhooks), and an agent for that target whose one-time enrolment token is kept (0600) until
 * the agent has exchanged it.
 */
export async function seedPullDemo(): Promise<void> {
  const target = await db().target.findUnique({
    where: { name_archivedKey: { name: DEMO_PULL_TARGET, archivedKey: "" } },
  });
  if (!target || target.mode !== "pull") return;
  const p = demoPaths();
  const repo = await ensureDemoRepo({ dir: p.repo, namespace: target.defaultNamespace });
  const admin = await db().user.findFirstOrThrow({ where: { role: "admin" }, orderBy: { createdAt: "asc" } });
  await registerRepo({
    targetId: target.id,
    input: { url: repo.url, branch: repo.branch, path: repo.path, pollIntervalSeconds: 5, prune: true, selfHeal: true },
    // A plain folder, as the application `hello`; the demo applications (demo-applications.ts) add a chart and an overlay.
    application: { name: "hello" },
    createdById: admin.id,
    actor: SYSTEM_ACTOR,
    request: NO_REQUEST,
  });
  const served = await db().target.findMany({
    where: { name: { in: DEMO_AGENT_TARGETS }, archivedKey: "", mode: "pull" },
    select: { id: true },
  });
  const created = await createAgent({
    input: { name: "demo-agent", targetIds: served.map((t) => t.id) },
    createdById: admin.id,
    actor: SYSTEM_ACTOR,
    request: NO_REQUEST,
  });
  fs.mkdirSync(path.dirname(p.enrolment), { recursive: true });
  fs.writeFileSync(p.enrolment, created.secret, { mode: 0o600 });
}

/**
 * Runs the demo agent in this process, as it would run in the cluster: it talks to the dashboard over HTTP with its
 * own credential and to the sandbox with a ServiceAccount that is admin in its targets' namespaces only.
 */
export async function startDemoAgent(sandbox: Sandbox): Promise<{ stop(): Promise<void> } | null> {
  const p = demoPaths();
  const hasCredential = fs.existsSync(path.join(p.state, "credential"));
  const enrolmentToken = fs.existsSync(p.enrolment) ? fs.readFileSync(p.enrolment, "utf8").trim() : undefined;
  if (!hasCredential && !enrolmentToken) return null;
  const targets = await db().target.findMany({
    where: { name: { in: DEMO_AGENT_TARGETS }, archivedKey: "", mode: "pull" },
    select: { defaultNamespace: true },
  });
  if (targets.length === 0) return null;

  const admin = createKubeClient(
    kubeConfigFor({ name: "sandbox", server: sandbox.url, caPem: sandbox.caPem, token: sandbox.adminToken }),
  );
  try {
    const rbac: KubeObject[] = [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: AGENT_SA },
      // Admin in each served target's namespace only, as an agent installed per cluster would be.
      ...targets.flatMap((target): KubeObject[] => [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: target.defaultNamespace } },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "wharf-agent", namespace: target.defaultNamespace },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
          subjects: [{ kind: "ServiceAccount", ...AGENT_SA }],
        },
      ]),
    ];
    const report = await applyManifests(admin, rbac, { fieldManager: "wharf-demo-setup" });
    if (!report.ok) throw new Error("could not grant the demo agent access to its namespace");
  } finally {
    await admin.close();
  }
  const kubeClient: KubeClient = createKubeClient(
    kubeConfigFor({
      name: "sandbox",
      server: sandbox.url,
      caPem: sandbox.caPem,
      token: sandbox.mintToken({ serviceAccount: AGENT_SA, expirationSeconds: 7 * 86_400 }),
    }),
  );
  const agent: RunningAgent = await startAgent({
    wharfUrl: env().publicUrl,
    ...(hasCredential ? {} : { enrolmentToken }),
    stateDir: p.state,
    kubeClient,
    // The demo repositories are file:// repositories on this host: the demo agent may read them (and whatever the
    // administrator allowed), nothing else of the host's file system.
    gitLocalRoots: [...new Set([p.repo, p.appsRepo, ...env().WHARF_GIT_LOCAL_ROOTS])],
    log: (line) => console.log(`[agent] ${line}`),
    persistCredential: async () => fs.rmSync(p.enrolment, { force: true }),
  });
  return {
    async stop() {
      await agent.stop();
      await kubeClient.close();
    },
  };
}
