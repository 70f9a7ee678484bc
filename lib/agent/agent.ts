import os from "node:os";
import path from "node:path";
import { readLiveObjects, readObjectEvents, WatchBudget, type KubeClient } from "@/lib/kube";
import { Backoff, withJitter } from "./backoff";
import { AgentError } from "./errors";
import { ManifestsSpool } from "./applied-manifests";
import { EventBuffer } from "./event-buffer";
import { GitCache, type GitCredentials } from "./git";
import { LIVE_EVENT_BOUNDS, withLiveDetails } from "./live-details";
import { describeLiveState, liveStateOf, LiveStateReporter } from "./live-state";
import {
  EVENTS_BATCH_MAX,
  MANIFESTS_GZ_MAX_BYTES,
  HEARTBEAT_INTERVAL_MS,
  type TAssignments,
  type TRepoAssignment,
  type TSyncEventInput,
  type TSyncTrigger,
  type TTargetAssignment,
} from "./protocol";
import { RegistryClient, type RegistryCredential } from "./registry";
import { AgentState } from "./state";
import { RepoReconciler, type RepoStatus, type SyncContext } from "./sync";
import { WharfClient } from "./wharf-client";

export const AGENT_VERSION = "0.1.0";

export interface AgentOptions {
  /** Dashboard base URL. */
  wharfUrl: string;
  /** Agent credential (`wharfa_…`); else the one persisted in `stateDir`; else obtained with `enrolmentToken`. */
  credential?: string;
  enrolmentToken?: string;
  /** Persistent directory: assignments, last good revisions, Git mirrors, event journal, credential. */
  stateDir: string;
  /** The cluster the agent syncs; the caller owns (and closes) it. */
  kubeClient: KubeClient;
  gitCredentials?: GitCredentials;
  /** Directories `file://` repositories may come from; none by default (see GitCacheOptions.localRoots). */
  gitLocalRoots?: readonly string[];
  registryCredentials?: Record<string, RegistryCredential>;
  version?: string;
  hostname?: string;
  /** One line per sync and per problem; never given secrets. Default console.log. */
  log?: (line: string) => void;
  /** Event journal capacity (default 10,000). */
  eventCapacity?: number;
  /** Deadline for workloads to become ready after an apply (default 5 minutes). */
  rolloutTimeoutMs?: number;
  /** First and largest backoff after failures (defaults 1 s and 5 min). */
  backoff?: { baseDelayMs?: number; maxDelayMs?: number };
  /** Heartbeat interval until Wharf says otherwise (default the protocol's). */
  heartbeatIntervalMs?: number;
  fetch?: typeof fetch;
  /**
   * Repos reconciled at once (default 8). Bounds git processes, memory and API server load when many repos are due
   * together, e.g. on start-up with a thousand assignments.
   */
  concurrency?: number;
  /**
   * Rollout watches open at once (default ROLLOUT_WATCHES_DEFAULT): each holds a connection to the API server for as
   * long as its rollout takes, so past this many (say, a thousand applications rolling out together, or rollouts that
   * never become ready) a rollout is polled instead. 0: always poll.
   */
  rolloutWatches?: number;
  /** Called once after enrolment with the new credential, to keep it somewhere that outlives the state directory. */
  persistCredential?: (credential: string) => Promise<void>;
  /**
   * While an application is Progressing after a reconciliation, its live state is read again after this delay
   * (default 5 s, at most LIVE_SETTLE_READS times), so the report settles without waiting for the next poll.
   */
  liveStateSettleMs?: number;
}

/** Default cap on rollout watches open at once (AgentOptions.rolloutWatches): connections, not memory, are the cost. */
export const ROLLOUT_WATCHES_DEFAULT = 64;

/** Extra live-state reads of a Progressing application between two reconciliations. */
export const LIVE_SETTLE_READS = 24;

export interface RunningAgent {
  /** Stops polling, timers and heartbeats; waits for running syncs and a last event flush. */
  stop(): Promise<void>;
  /** Reconciles one repo (or all) now; resolves when that reconciliation finished. */
  syncNow(repoId?: string): Promise<void>;
  /** Current per-repo status, as heartbeats report it. */
  status(): Map<string, RepoStatus>;
  /** Events waiting in the journal for Wharf. */
  pendingEvents(): number;
  /** Live-state reports sent to (and accepted by) Wharf so far: one per application per change. */
  liveStatesSent(): number;
}

interface Worker {
  target: TTargetAssignment;
  repo: TRepoAssignment;
  reconciler: RepoReconciler;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  pending: TSyncTrigger | undefined;
  waiters: (() => void)[];
  backoff: Backoff;
  notifySeq: number;
  configKey: string;
  /** The next extra live-state read while the application is Progressing, and how many are left. */
  settleTimer: NodeJS.Timeout | undefined;
  settleReads: number;
}

/** The parts of an assignment whose change means "look again now" (notifySeq handled separately). */
function configKeyOf(target: TTargetAssignment, repo: TRepoAssignment): string {
  const { notifySeq: _notifySeq, ...rest } = repo;
  void _notifySeq;
  return JSON.stringify([
    rest,
    target.defaultNamespace,
    target.allowedNamespaces,
    target.allowClusterScoped,
    target.requiresApproval,
  ]);
}

/**
 * Starts the pull agent: follows Wharf's assignments by long poll (falling back to the persisted ones while Wharf is
 * unreachable), runs one serialized reconciler per repo on its poll interval (with jitter) or at once on a notify or
 * changed assignment, journals events to disk and sends them in order, and heartbeats per-repo status. Failures back
 * off exponentially with jitter, per repo and for Wharf.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const log = options.log ?? ((line: string) => console.log(line));
  const state = new AgentState(options.stateDir);
  state.adoptLegacySpecs();
  const buffer = new EventBuffer({
    dir: path.join(options.stateDir, "journal"),
    ...(options.eventCapacity ? { capacity: options.eventCapacity } : {}),
  });
  // Applied manifests wait here until Wharf holds them; any an event no longer names (dropped by overflow) go.
  const spool = new ManifestsSpool(path.join(options.stateDir, "manifests"));
  spool.prune(new Set(buffer.peek(buffer.size).events.flatMap((e) => (e.manifests ? [e.manifests.sha256] : []))));
  const git = new GitCache({
    dir: path.join(options.stateDir, "git"),
    ...(options.gitCredentials ? { credentials: options.gitCredentials } : {}),
    localRoots: options.gitLocalRoots ?? [],
    log,
  });
  const registry = new RegistryClient({ credentials: options.registryCredentials ?? {} });
  const credential = options.credential ?? state.readCredential();
  const wharf = new WharfClient({
    url: options.wharfUrl,
    ...(credential ? { credential } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const version = options.version ?? AGENT_VERSION;
  const liveStates = new LiveStateReporter(wharf, log, {
    baseDelayMs: options.backoff?.baseDelayMs ?? 1000,
    maxDelayMs: options.backoff?.maxDelayMs ?? 5 * 60_000,
  });
  const hostname = options.hostname ?? os.hostname();
  const backoffOptions = {
    baseDelayMs: options.backoff?.baseDelayMs ?? 1000,
    maxDelayMs: options.backoff?.maxDelayMs ?? 5 * 60_000,
  };
  const abort = new AbortController();
  const workers = new Map<string, Worker>();
  let stopped = false;

  // ---- events ------------------------------------------------------------------------------------------------
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  const wharfEventsBackoff = new Backoff(backoffOptions);
  const scheduleFlush = (delayMs: number) => {
    if (stopped || flushTimer) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      flushing ??= flush().finally(() => (flushing = undefined));
    }, delayMs);
  };
  /** Refused for good: invalid (422) or outside this agent's scope (403, e.g. a repo moved to another target). */
  const refusedForGood = (err: unknown) =>
    err instanceof AgentError &&
    (err.code === "WHARF_REJECTED" || (err.code === "WHARF_FORBIDDEN" && err.details?.status === 403));
  /** Digests Wharf holds (or refused for good) as far as this process knows: a repeated render is not asked about. */
  const settled = new Set<string>();
  /**
   * Before a batch goes, the manifests its events name reach Wharf: only the digest is asked about, and the gzip is
   * uploaded only when Wharf does not hold it yet, so an unchanged render is never sent twice. Too large (413) or a
   * Wharf older than the record (404): the event keeps the digest alone. Unreachable: the batch waits and retries.
   */
  /** Uploads in flight by digest: the flush waits for one the apply started rather than starting its own. */
  const settling = new Map<string, Promise<void>>();
  /** Makes sure Wharf holds one digest's manifests (or refused them for good); throws while it is unreachable. */
  const settleManifests = (sha256: string): Promise<void> => {
    const running = settling.get(sha256);
    if (running) return running;
    const work = (async () => {
      const gz = settled.has(sha256) ? undefined : spool.read(sha256);
      if (!gz) return;
      try {
        if (!(await wharf.manifestsStatus(sha256)).held) {
          if (gz.length > MANIFESTS_GZ_MAX_BYTES)
            log(`manifests ${sha256.slice(0, 12)}: ${gz.length} bytes compressed, over Wharf's limit; digest only`);
          else await wharf.uploadManifests(sha256, gz);
        }
      } catch (err) {
        if (!refusedForGood(err)) throw err;
        log(
          `manifests ${sha256.slice(0, 12)}: Wharf refused them; the event keeps their digest only: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      if (settled.size >= 1000) settled.clear();
      settled.add(sha256);
    })().finally(() => settling.delete(sha256));
    settling.set(sha256, work);
    return work;
  };
  const uploadManifests = async (events: readonly TSyncEventInput[]): Promise<void> => {
    for (const sha256 of new Set(events.flatMap((e) => (e.manifests ? [e.manifests.sha256] : [])))) {
      await settleManifests(sha256);
      spool.remove(sha256);
    }
  };
  const flush = async (): Promise<void> => {
    while (buffer.size > 0 || buffer.dropped > 0) {
      const batch = buffer.peek(EVENTS_BATCH_MAX);
      try {
        await uploadManifests(batch.events);
        await wharf.sendEvents({ events: batch.events, ...(batch.dropped ? { dropped: batch.dropped } : {}) });
        buffer.acknowledge(
          batch.events.map((e) => e.id),
          batch.dropped,
        );
        wharfEventsBackoff.reset();
      } catch (err) {
        if (!refusedForGood(err)) {
          if (!stopped) scheduleFlush(wharfEventsBackoff.fail());
          return;
        }
        // One event Wharf will never take must not block the others: resend one by one, drop only the refused.
        for (const event of batch.events) {
          try {
            await wharf.sendEvents({ events: [event] });
            buffer.acknowledge([event.id], 0);
          } catch (single) {
            if (!refusedForGood(single)) {
              if (!stopped) scheduleFlush(wharfEventsBackoff.fail());
              return;
            }
            log(
              `events: Wharf refused event ${event.id} (${event.kind}/${event.result} for repo ${event.repoId}); dropped: ${single instanceof Error ? single.message : String(single)}`,
            );
            buffer.acknowledge([event.id], 0);
            buffer.countDropped(1);
          }
        }
      }
    }
  };
  const emit = (event: TSyncEventInput) => {
    buffer.append(event);
    // Sent on the next turn, not after a pause: events emitted together still share a batch, and those emitted while
    // one is in flight go in the flush's next batch.
    scheduleFlush(0);
  };

  // Assigned with the heartbeat loop below; a repo whose state changed asks for an early heartbeat.
  let heartbeatSoon: () => void = () => undefined;

  // ---- per-repo scheduling -------------------------------------------------------------------------------------
  const slots = { free: Math.max(1, options.concurrency ?? 8), queue: [] as (() => void)[] };
  /** `first`: ahead of the queue, for a reconciliation that already started and only has to finish. */
  const acquire = (first = false) =>
    slots.free > 0
      ? (slots.free--, Promise.resolve())
      : new Promise<void>((resolve) => (first ? slots.queue.unshift(resolve) : slots.queue.push(resolve)));
  const release = () => {
    const next = slots.queue.shift();
    if (next) next();
    else slots.free++;
  };
  const ctx: SyncContext = {
    client: options.kubeClient,
    git,
    registry,
    state,
    emit,
    log,
    keepManifests: (objects) => {
      const kept = spool.keep(objects, (err) =>
        log(
          `manifests: could not keep the applied manifests for upload: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
      // Uploaded now, while the rollout is waited for, not when the event is sent: the sync's event then goes out
      // alone, two requests sooner. A failure here is the flush's to retry (with backoff); it waits for this one.
      if (!stopped) settleManifests(kept.sha256).catch(() => undefined);
      return kept;
    },
    ...(options.rolloutTimeoutMs ? { rolloutTimeoutMs: options.rolloutTimeoutMs } : {}),
    rolloutWatches: new WatchBudget(options.rolloutWatches ?? ROLLOUT_WATCHES_DEFAULT),
    // A reconciliation holds one slot from git fetch to its live-state read; its rollout wait (up to
    // rolloutTimeoutMs, only watching or polling the API server) gives the slot back, or `concurrency` never-ready rollouts would
    // stop every other repo of the agent for as long.
    async whileWaiting(wait) {
      release();
      try {
        return await wait();
      } finally {
        await acquire(true);
      }
    },
  };
  // ---- live state -------------------------------------------------------------------------------------------
  const settleMs = options.liveStateSettleMs ?? 5000;
  const liveReadErrors = new Map<string, string>();
  /** Reads the application's objects and queues its live state; nothing before its first apply. */
  const observe = async (worker: Worker): Promise<void> => {
    const repoId = worker.repo.repoId;
    const record = state.repo(repoId);
    if (!record || stopped) return;
    try {
      const read = await readLiveObjects(options.kubeClient, record.inventory);
      const state = liveStateOf(
        { targetId: worker.target.targetId, repoId, revisionId: record.revision, inventory: record.inventory },
        read,
      );
      // Sync status from the reconciler's last apply or drift check (no second dry run), Events read now.
      const events = await readObjectEvents(options.kubeClient, read.objects, LIVE_EVENT_BOUNDS);
      const live = {
        ...state,
        roots: withLiveDetails(state.roots, { sync: worker.reconciler.syncStatus, events }),
      };
      liveReadErrors.delete(repoId);
      if (liveStates.report(live)) log(`repo ${repoId}: live state ${describeLiveState(live)}`);
      if (worker.settleTimer) clearTimeout(worker.settleTimer);
      worker.settleTimer = undefined;
      if (live.health.status === "Progressing" && worker.settleReads > 0 && !stopped) {
        worker.settleReads--;
        worker.settleTimer = setTimeout(() => {
          worker.settleTimer = undefined;
          // A running reconciliation reads the state itself when it ends.
          if (worker.running || stopped || workers.get(repoId) !== worker) return;
          void acquire().then(() => observe(worker).finally(release));
        }, settleMs);
      }
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (liveReadErrors.get(repoId) !== text) log(`repo ${repoId}: could not read the live state: ${text}`);
      liveReadErrors.set(repoId, text);
    }
  };

  const arm = (worker: Worker, delayMs: number) => {
    if (worker.timer) clearTimeout(worker.timer);
    if (stopped) return;
    worker.timer = setTimeout(() => void request(worker, "poll"), delayMs);
  };
  const run = async (worker: Worker) => {
    worker.running = true;
    try {
      while (worker.pending && !stopped) {
        const trigger = worker.pending;
        const waiters = worker.waiters.splice(0);
        worker.pending = undefined;
        if (worker.timer) clearTimeout(worker.timer);
        const before = `${worker.reconciler.status.state} ${worker.reconciler.status.revision}`;
        await acquire();
        let error;
        try {
          error = await worker.reconciler.reconcile(worker.target, worker.repo, trigger);
          // After every sync and drift check (the poll interval): what runs now, as the cluster says.
          worker.settleReads = LIVE_SETTLE_READS;
          await observe(worker);
        } finally {
          release();
        }
        for (const resolve of waiters) resolve();
        if (`${worker.reconciler.status.state} ${worker.reconciler.status.revision}` !== before) heartbeatSoon();
        const interval = worker.repo.pollIntervalSeconds * 1000;
        if (error?.transient) arm(worker, Math.min(interval, worker.backoff.fail()));
        else {
          worker.backoff.reset();
          arm(worker, withJitter(interval));
        }
      }
    } finally {
      worker.running = false;
      for (const resolve of worker.waiters.splice(0)) resolve();
    }
  };
  const request = (worker: Worker, trigger: TSyncTrigger): Promise<void> => {
    const done = new Promise<void>((resolve) => worker.waiters.push(resolve));
    // A more specific reason wins over a plain poll when several arrive before the run starts.
    if (!worker.pending || worker.pending === "poll") worker.pending = trigger;
    if (!worker.running) void run(worker);
    return done;
  };

  const applyAssignments = (assignments: TAssignments, fromWharf: boolean) => {
    const seen = new Set<string>();
    for (const target of assignments.targets) {
      for (const repo of target.repos) {
        seen.add(repo.repoId);
        const key = configKeyOf(target, repo);
        const existing = workers.get(repo.repoId);
        if (!existing) {
          const worker: Worker = {
            target,
            repo,
            reconciler: new RepoReconciler(ctx, repo.repoId),
            timer: undefined,
            running: false,
            pending: undefined,
            waiters: [],
            backoff: new Backoff(backoffOptions),
            notifySeq: repo.notifySeq,
            configKey: key,
            settleTimer: undefined,
            settleReads: 0,
          };
          workers.set(repo.repoId, worker);
          void request(worker, state.repo(repo.repoId) ? "poll" : "registered");
          continue;
        }
        const previous = existing.repo;
        existing.target = target;
        existing.repo = repo;
        if (existing.configKey !== key) {
          existing.configKey = key;
          existing.notifySeq = repo.notifySeq;
          existing.backoff.reset();
          void request(
            existing,
            repo.pinnedRevision && repo.pinnedRevision !== previous.pinnedRevision
              ? "rollback"
              : repo.approvedRevision !== previous.approvedRevision
                ? "approval"
                : "poll",
          );
        } else if (fromWharf && repo.notifySeq !== existing.notifySeq) {
          existing.notifySeq = repo.notifySeq;
          existing.backoff.reset();
          void request(existing, "notify");
        }
      }
    }
    for (const [repoId, worker] of workers) {
      if (seen.has(repoId)) continue;
      // Unassigned: stop following it. Its objects stay; deleting workloads because a registration was removed
      // would be a surprising outage.
      if (worker.timer) clearTimeout(worker.timer);
      if (worker.settleTimer) clearTimeout(worker.settleTimer);
      liveStates.forget(repoId);
      workers.delete(repoId);
    }
  };

  // ---- assignments long poll --------------------------------------------------------------------------------
  const persisted = state.assignments;
  if (persisted) applyAssignments(persisted, false);
  const wharfBackoff = new Backoff(backoffOptions);
  let lastWharfError: string | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  const noteWharfError = (err: unknown) => {
    const text = err instanceof Error ? err.message : String(err);
    if (text !== lastWharfError)
      log(
        `wharf: ${text}; retrying with backoff${persisted || workers.size ? ", still reconciling the last assignments" : ""}`,
      );
    lastWharfError = text;
  };
  const enrol = async (): Promise<void> => {
    if (credential) return;
    if (!options.enrolmentToken) throw new AgentError("CONFIG_INVALID", "no agent credential and no enrolment token");
    for (;;) {
      try {
        const res = await wharf.enrol({ enrolmentToken: options.enrolmentToken, hostname, version });
        state.writeCredential(res.credential);
        wharf.credential = res.credential;
        await options.persistCredential?.(res.credential).catch((err: unknown) => {
          log(
            `enrolment: could not store the credential outside the state directory: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
        log(`enrolled as agent ${res.agentName} (${res.agentId})`);
        return;
      } catch (err) {
        if (stopped) return;
        noteWharfError(err);
        await sleep(wharfBackoff.fail());
        if (stopped) return;
      }
    }
  };
  const pollLoop = async () => {
    await enrol();
    let since: string | undefined;
    while (!stopped) {
      try {
        const assignments = await wharf.assignments(since, abort.signal);
        if (lastWharfError) log("wharf: reachable again");
        lastWharfError = undefined;
        wharfBackoff.reset();
        if (assignments.changed || since === undefined) {
          state.setAssignments(assignments);
          applyAssignments(assignments, true);
        }
        since = assignments.version;
        if (buffer.size > 0) scheduleFlush(0);
      } catch (err) {
        if (stopped) break;
        noteWharfError(err);
        await sleep(wharfBackoff.fail());
      }
    }
  };
  const polling = pollLoop();

  // ---- heartbeats ---------------------------------------------------------------------------------------------
  let heartbeatMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let nextHeartbeatAt = 0;
  let heartbeatInFlight = false;
  const armHeartbeat = (delayMs: number) => {
    if (heartbeatTimer) clearTimeout(heartbeatTimer);
    nextHeartbeatAt = Date.now() + delayMs;
    heartbeatTimer = setTimeout(() => void heartbeat(), delayMs);
  };
  // Status changes reach Wharf within about a second instead of waiting for the next regular heartbeat.
  heartbeatSoon = () => {
    if (stopped || heartbeatInFlight || (heartbeatTimer && nextHeartbeatAt <= Date.now() + 1000)) return;
    armHeartbeat(1000);
  };
  const heartbeat = async () => {
    heartbeatTimer = undefined;
    if (stopped) return;
    heartbeatInFlight = true;
    try {
      const res = await wharf.heartbeat({
        version,
        hostname,
        observedAt: new Date().toISOString(),
        repos: [...workers.values()].map((w) => ({
          repoId: w.repo.repoId,
          revision: w.reconciler.status.revision,
          state: w.reconciler.status.state,
          ...(w.reconciler.status.message ? { message: w.reconciler.status.message } : {}),
        })),
      });
      if (!options.heartbeatIntervalMs) heartbeatMs = res.heartbeatIntervalMs;
    } catch {
      // The long poll reports Wharf outages; a missed heartbeat is what makes Wharf show the agent as stale.
    }
    heartbeatInFlight = false;
    if (!stopped) armHeartbeat(heartbeatMs);
  };
  armHeartbeat(0);
  if (buffer.size > 0 || buffer.dropped > 0) scheduleFlush(0);

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort(new Error("agent stopping"));
      if (heartbeatTimer) clearTimeout(heartbeatTimer);
      if (flushTimer) clearTimeout(flushTimer);
      for (const worker of workers.values()) {
        if (worker.timer) clearTimeout(worker.timer);
        if (worker.settleTimer) clearTimeout(worker.settleTimer);
      }
      await Promise.race([
        Promise.all(
          [...workers.values()]
            .filter((w) => w.running)
            .map((w) => new Promise<void>((resolve) => w.waiters.push(resolve))),
        ),
        new Promise((resolve) => setTimeout(resolve, 30_000).unref()),
      ]);
      await polling.catch(() => undefined);
      await flushing?.catch(() => undefined);
      // One last attempt, so a clean shutdown leaves nothing behind when Wharf is up; the journal keeps the rest.
      if (buffer.size > 0) await flush().catch(() => undefined);
      await liveStates.stop();
    },
    async syncNow(repoId) {
      const targets = repoId
        ? [workers.get(repoId)].filter((w): w is Worker => w !== undefined)
        : [...workers.values()];
      if (repoId && targets.length === 0)
        throw new AgentError("CONFIG_INVALID", `repo ${repoId} is not assigned to this agent`);
      await Promise.all(targets.map((w) => request(w, "poll")));
    },
    status() {
      return new Map([...workers.values()].map((w) => [w.repo.repoId, w.reconciler.status]));
    },
    pendingEvents() {
      return buffer.size;
    },
    liveStatesSent() {
      return liveStates.sentCount;
    },
  };
}
