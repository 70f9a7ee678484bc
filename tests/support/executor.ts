import { createHash, randomBytes } from "node:crypto";
import { dbFor } from "@/lib/db/client";
import { parseManifests } from "@/lib/kube";
import { TERMINAL_STATES } from "@/lib/deployments/states";

/**
 * Inserts a deployment that is already `queued` (approvals done), the state the executor picks work up in, without
 * going through requests and approvals — executor tests exercise execution only.
 */
export async function insertQueuedDeployment(opts: {
  databaseUrl: string;
  targetId: string;
  manifests: string;
  queuedAt?: Date;
  /** The application it deploys; omitted: none (a row from before applications, the target's default application). */
  applicationId?: string;
}): Promise<string> {
  const db = dbFor(opts.databaseUrl);
  const objects = parseManifests(opts.manifests);
  const row = await db.deployment.create({
    data: {
      targetId: opts.targetId,
      ...(opts.applicationId ? { applicationId: opts.applicationId } : {}),
      state: "queued",
      sourceKind: "manifests",
      manifests: opts.manifests,
      manifestsDigest: createHash("sha256").update(opts.manifests).digest("hex"),
      objectCount: objects.length,
      requestedById: `test-${randomBytes(3).toString("hex")}`,
      requestedByKind: "user",
      requestedByName: "executor test",
      reason: "executor test",
      approvedAt: new Date(),
      queuedAt: opts.queuedAt ?? new Date(),
    },
  });
  return row.id;
}

/** Polls until the deployment reaches a terminal state (or the timeout passes) and returns its row. */
export async function waitForTerminal(databaseUrl: string, deploymentId: string, timeoutMs = 30_000) {
  const db = dbFor(databaseUrl);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    if ((TERMINAL_STATES as readonly string[]).includes(row.state)) return row;
    if (Date.now() > deadline) throw new Error(`deployment ${deploymentId} still ${row.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Multi-document YAML for a few objects in one namespace: ConfigMaps, then a Deployment with `image`. */
export function appManifests(opts: {
  namespace: string;
  configMaps?: string[];
  deployment?: { name: string; image: string; replicas?: number };
}): string {
  const docs: string[] = [];
  for (const name of opts.configMaps ?? []) {
    docs.push(`apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${opts.namespace}
data:
  key: ${name}-value
`);
  }
  if (opts.deployment) {
    const d = opts.deployment;
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${d.name}
  namespace: ${opts.namespace}
spec:
  replicas: ${d.replicas ?? 2}
  selector:
    matchLabels:
      app: ${d.name}
  template:
    metadata:
      labels:
        app: ${d.name}
    spec:
      containers:
        - name: app
          image: ${d.image}
`);
  }
  return docs.join("---\n");
}
