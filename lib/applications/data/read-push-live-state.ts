import "server-only";
import { manifestsTextOf } from "@/lib/deployments/stored-manifests";
import { detectDrift, type DriftReport } from "@/lib/agent/drift";
import { LIVE_EVENT_BOUNDS, withLiveDetails } from "@/lib/agent/live-details";
import { liveTreeOf } from "@/lib/agent/live-state";
import type { TDrift } from "@/lib/agent/protocol";
import { liveStateDigestOf } from "@/lib/agents/data/record-live-states";
import { recomputeApplicationStatus } from "../status-columns";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db, type Tx } from "@/lib/db";
import { activeCredentialId, withTargetClient } from "@/lib/deployments/data/target-client";
import { pushApplySet } from "@/lib/deployments/manifests";
import { PUSH_FIELD_MANAGER } from "@/lib/deployments/preview";
import { parseManifests, readLiveObjects, readObjectEvents, type ObjectRef } from "@/lib/kube";
import { notifyHealthDegraded } from "@/lib/notifications/data/notify-health-degraded";
import { notifyPushDrift } from "@/lib/notifications/data/notify-sync-event";
import { recordDeliveryOutcome } from "@/lib/rollups/data/record-delivery-outcome";
import { describePushDrift, pushDriftDetails, pushDriftSignature } from "../push-drift";

/**
 * The least time between two reads of one push application's cluster for its live state, however many people look:
 * the application page polls every few seconds, and each read is a credential use. Viewers within the interval get
 * the state stored by the last read.
 */
export const PUSH_STATUS_MIN_INTERVAL_MS = 15_000;

/** A read's bound: the API server's answers are retried once, never for longer than a viewer waits. */
const READ_RETRY = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1000 } as const;
const ERROR_MAX = 1000;

export type PushReadOutcome =
  | { read: true; health: string }
  | { read: false; reason: "fresh" | "no-deployment" | "no-credential" | "failed" | "not-push" };

/** Reads in progress in this process, per application: concurrent viewers wait for the one read. */
const inFlight = new Map<string, Promise<PushReadOutcome>>();

/**
 * Reads a push application's live state from its cluster with its target's active credential and stores it like an
 * agent's report (ApplicationLiveState, source "push"), unless the stored state was read (or a read was tried) less
 * than `minIntervalMs` ago. Scope: the objects its last succeeded deployment applied (its ApplySet, pruned ones left
 * out) and what they own, read and bounded exactly as the pull agent reads its own (lib/kube readLiveObjects,
 * lib/agent/live-state liveTreeOf). The credential is decrypted through withTargetClient, purpose `status`: each read
 * is counted in the decrypt's transaction and summarised per credential and 5 minutes in the audit trail. The claim
 * on `readAttemptAt` makes one dashboard process read per interval; a failed read keeps the last tree and records why.
 * Each read also compares the cluster with the deployment's manifests the way the pull agent checks drift (driftOf),
 * and records a drift once per change of its drifted fields, as the agent reports one (recordPushDrift).
 * Nothing is read (and nothing decrypted) for an application that was never deployed or a target without a credential.
 */
export async function readPushLiveState(opts: {
  applicationId: string;
  actor: Actor;
  request: RequestContext;
  minIntervalMs?: number;
  now?: Date;
}): Promise<PushReadOutcome> {
  const running = inFlight.get(opts.applicationId);
  if (running) return running;
  const read = readOnce(opts).finally(() => inFlight.delete(opts.applicationId));
  inFlight.set(opts.applicationId, read);
  return read;
}

/**
 * What differs between the cluster and the manifests the deployment applied, by the pull agent's comparison
 * (detectDrift: a forced server-side dry-run apply as the push executor's field manager, in the application's
 * ApplySet, so its labels never count as drift), with each object's sync status (values and managers); null when the
 * check failed (the tree still stands, without sync status).
 */
async function driftOf(
  client: Parameters<typeof detectDrift>[0],
  manifests: string,
  app: { name: string; inventoryKey: string; target: { id: string; name: string; defaultNamespace: string } },
): Promise<DriftReport | null> {
  try {
    return await detectDrift(client, parseManifests(manifests), pushApplySet(app.target, app), {
      fieldManager: PUSH_FIELD_MANAGER,
    });
  } catch {
    return null;
  }
}

/**
 * Records a drift the read found, once per change, in the read's transaction: the drift's signature (its objects and
 * field paths, as the agent compares them) is swapped into ApplicationLiveState.driftSignature only when it differs
 * from the last checked read's — a conditional update, so of two overlapping reads one records it — and then one
 * PushDriftEvent is stored with its rollup contribution (counted as a pull `drift-detected` event) and its
 * `drift.detected` notification. A read that finds the cluster in sync clears the signature (pull reports nothing
 * when a drift goes away, so neither does push): the same drift found again later is a new one.
 */
async function recordPushDrift(
  tx: Tx,
  opts: {
    app: { id: string; target: { id: string; environment: string } };
    deploymentId: string;
    report: DriftReport;
    now: Date;
  },
): Promise<void> {
  const { app, report, now } = opts;
  if (report.objects.length === 0) {
    await tx.applicationLiveState.updateMany({
      where: { applicationId: app.id, driftSignature: { not: null } },
      data: { driftSignature: null },
    });
    return;
  }
  const signature = pushDriftSignature(report.signature);
  const changed = await tx.applicationLiveState.updateMany({
    where: { applicationId: app.id, OR: [{ driftSignature: null }, { driftSignature: { not: signature } }] },
    data: { driftSignature: signature },
  });
  if (changed.count === 0) return;
  const drift = { objects: report.objects, truncated: report.truncated };
  const details = pushDriftDetails(drift, report.sync);
  const message = describePushDrift(details);
  const event = await tx.pushDriftEvent.create({
    data: {
      applicationId: app.id,
      targetId: app.target.id,
      environment: app.target.environment,
      deploymentId: opts.deploymentId,
      occurredAt: now,
      signature,
      message,
      details: JSON.stringify(details),
    },
    select: { id: true },
  });
  await recordDeliveryOutcome(tx, { kind: "push-drift", targetId: app.target.id, occurredAt: now });
  await notifyPushDrift(tx, {
    id: event.id,
    applicationId: app.id,
    deploymentId: opts.deploymentId,
    occurredAt: now,
    message,
    drift,
  });
}

async function readOnce(opts: {
  applicationId: string;
  actor: Actor;
  request: RequestContext;
  minIntervalMs?: number;
  now?: Date;
}): Promise<PushReadOutcome> {
  const now = opts.now ?? new Date();
  const minIntervalMs = opts.minIntervalMs ?? PUSH_STATUS_MIN_INTERVAL_MS;
  const app = await db().application.findUnique({
    where: { id: opts.applicationId },
    select: {
      id: true,
      name: true,
      inventoryKey: true,
      mode: true,
      target: {
        select: {
          id: true,
          name: true,
          environment: true,
          serverUrl: true,
          caBundle: true,
          insecureSkipTlsVerify: true,
          defaultNamespace: true,
        },
      },
      liveState: { select: { readAttemptAt: true, observedAt: true } },
    },
  });
  if (!app || app.mode !== "push") return { read: false, reason: "not-push" };
  const deployment = await db().deployment.findFirst({
    where: { applicationId: app.id, state: "succeeded" },
    orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
    select: {
      id: true,
      manifests: true,
      manifestsGz: true,
      objects: {
        where: { action: { not: "pruned" } },
        orderBy: { position: "asc" },
        select: { apiVersion: true, kind: true, namespace: true, name: true },
      },
    },
  });
  if (!deployment) return { read: false, reason: "no-deployment" };
  const credentialId = await activeCredentialId(app.target.id);
  if (!credentialId) return { read: false, reason: "no-credential" };

  // The claim: only the process (and request) that moves readAttemptAt past the interval reads.
  const since = new Date(now.getTime() - minIntervalMs);
  if (app.liveState) {
    const claimed = await db().applicationLiveState.updateMany({
      where: { applicationId: app.id, OR: [{ readAttemptAt: null }, { readAttemptAt: { lte: since } }] },
      data: { readAttemptAt: now },
    });
    if (claimed.count === 0) return { read: false, reason: "fresh" };
  }

  const inventory: ObjectRef[] = deployment.objects.map((o) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
  }));
  const label = await db().credential.findUnique({ where: { id: credentialId }, select: { label: true } });
  let tree: ReturnType<typeof liveTreeOf>;
  let drift: TDrift | null = null;
  let report: DriftReport | null = null;
  try {
    ({ tree, drift, report } = await withTargetClient(
      {
        target: app.target,
        credentialId,
        actor: opts.actor,
        purpose: { kind: "status", id: app.id },
        request: opts.request,
        retry: READ_RETRY,
        now,
      },
      async (client) => {
        const objects = await readLiveObjects(client, inventory);
        // Not one object could be read (cluster unreachable, credential refused): a failed read, not a tree of
        // Unknowns — the last tree stays and readError says why.
        const firstError = objects.unreadable.values().next();
        if (objects.objects.length === 0 && objects.unreadable.size === inventory.length && !firstError.done)
          throw new Error(firstError.value);
        const base = liveTreeOf(inventory, objects);
        const report = await driftOf(client, manifestsTextOf(deployment), app);
        // The same details the agent attaches to a pull tree: each own object's sync status and recent Events.
        const events = await readObjectEvents(client, objects.objects, LIVE_EVENT_BOUNDS).catch(() => undefined);
        return {
          tree: { ...base, roots: withLiveDetails(base.roots, { sync: report?.sync, events }) },
          drift: report ? { objects: report.objects, truncated: report.truncated } : null,
          report,
        };
      },
    ));
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, ERROR_MAX);
    const failed = {
      source: "push",
      credentialId,
      credentialLabel: label?.label ?? null,
      readAttemptAt: now,
      readError: message,
    };
    // The last tree stays (with its time); without one, the state is Unknown and says why — and the list's health
    // filter column copies it in the same transaction.
    await db().$transaction(async (tx) => {
      await tx.applicationLiveState.upsert({
        where: { applicationId: app.id },
        create: {
          applicationId: app.id,
          ...failed,
          revisionId: deployment.id,
          health: "Unknown",
          healthMessage: `Wharf could not read the cluster: ${message}`.slice(0, ERROR_MAX),
          treeJson: JSON.stringify({ roots: [], truncated: false }),
          nodeCount: 0,
          digest: "",
          observedAt: now,
          receivedAt: now,
          confirmedAt: now,
        },
        update: failed,
      });
      await recomputeApplicationStatus(tx, { applicationIds: [app.id] });
    });
    return { read: false, reason: "failed" };
  }

  const state = { revisionId: deployment.id, ...tree };
  const digest = liveStateDigestOf(state);
  const data = {
    source: "push",
    repoId: null,
    agentId: null,
    credentialId,
    credentialLabel: label?.label ?? null,
    revisionId: deployment.id,
    health: tree.health.status,
    healthMessage: tree.health.message ?? null,
    treeJson: JSON.stringify({ roots: tree.roots, truncated: tree.truncated }),
    nodeCount: tree.nodeCount,
    driftJson: drift ? JSON.stringify(drift) : null,
    digest,
    observedAt: now,
    confirmedAt: now,
    readAttemptAt: now,
    readError: null,
  };
  await db().$transaction(async (tx) => {
    const before = await tx.applicationLiveState.findUnique({
      where: { applicationId: app.id },
      select: { digest: true, receivedAt: true },
    });
    // health.degraded as for pull: queued with the read that turns the application Degraded.
    await notifyHealthDegraded(tx, { applicationId: app.id, state });
    // receivedAt is when this state was first seen, as for a pull report: an unchanged re-read only confirms it.
    const receivedAt = before?.digest === digest ? before.receivedAt : now;
    await tx.applicationLiveState.upsert({
      where: { applicationId: app.id },
      create: { applicationId: app.id, ...data, receivedAt },
      update: { ...data, receivedAt },
    });
    await recomputeApplicationStatus(tx, { applicationIds: [app.id] });
    if (report) await recordPushDrift(tx, { app, deploymentId: deployment.id, report, now });
  });
  return { read: true, health: tree.health.status };
}
