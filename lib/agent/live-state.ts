// The pull half of issue 15's live state: the agent reads each application's objects (its ApplySet inventory) and
// what they own, builds the resource tree with lib/kube/tree.ts, and reports it to Wharf, so the dashboard shows what
// runs without holding a cluster credential. Reads happen after every reconciliation (sync or drift check, i.e. on
// the repo's poll interval) and, while the application is Progressing, a few times more until it settles; lib/kube
// has no watch helper, and a watch per owned kind per application would hold far more connections than a re-read on
// the interval costs. Reports are deduplicated per application by digest and sent in bounded batches.
import { createHash } from "node:crypto";
import { buildResourceTree, refKey, type LiveRead, type ObjectRef, type ResourceNode } from "@/lib/kube";
import { Backoff } from "./backoff";
import { AgentError } from "./errors";
import {
  LIVE_STATE_BATCH_BYTES,
  LIVE_STATES_BATCH_MAX,
  LIVE_TREE_DEPTH_MAX,
  LIVE_TREE_NODES_MAX,
  type TLiveNode,
  type TLiveState,
} from "./protocol";
import type { WharfClient } from "./wharf-client";

const MESSAGE_MAX = 1000;

function clip(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX - 1)}…` : text;
}

/** lib/kube's tree node as the protocol carries it: no uids, bounded messages and image lists. */
function toLiveNode(node: ResourceNode, unreadable: Map<string, string>): TLiveNode {
  const why = node.inInventory && node.health.status === "Missing" ? unreadable.get(refKey(node)) : undefined;
  const message = clip(why ? `Could not be read: ${why}` : node.health.message);
  const out: TLiveNode = {
    apiVersion: node.apiVersion,
    kind: node.kind,
    name: node.name,
    health: { status: why ? "Unknown" : node.health.status, ...(message ? { message } : {}) },
    inInventory: node.inInventory,
    children: node.children.map((c) => toLiveNode(c, unreadable)),
  };
  if (node.namespace) out.namespace = node.namespace;
  if (node.pod) out.pod = { ...node.pod, images: node.pod.images.slice(0, 100).map((i) => i.slice(0, 1000)) };
  if (node.omittedChildren) out.omittedChildren = node.omittedChildren;
  return out;
}

/** What a live state says about the cluster, without whose it is or when it was read. */
export type LiveTree = Pick<TLiveState, "health" | "roots" | "nodeCount" | "truncated">;

/**
 * The bounded tree, with health, of an application from its inventory and the objects read for it: what the agent
 * reports for a pull application and what the dashboard stores for a push one it read with the target's credential,
 * so both are built, bounded and judged alike.
 */
export function liveTreeOf(inventory: readonly ObjectRef[], read: LiveRead): LiveTree {
  const tree = buildResourceTree(inventory, read.objects, {
    maxNodes: LIVE_TREE_NODES_MAX,
    maxDepth: LIVE_TREE_DEPTH_MAX - 1,
  });
  const roots = tree.roots.map((n) => toLiveNode(n, read.unreadable));
  const unknown = roots.find((r) => r.health.status === "Unknown");
  const health = unknown && tree.health.status !== "Unknown" ? unknown.health : tree.health;
  const message = clip(health.message);
  return {
    health: { status: health.status, ...(message ? { message } : {}) },
    roots,
    nodeCount: tree.nodeCount,
    truncated: tree.truncated,
  };
}

/** One application's live state as the protocol carries it, from its inventory and the objects read for it. */
export function liveStateOf(
  app: { targetId: string; repoId: string; revisionId: string | null; inventory: readonly ObjectRef[] },
  read: LiveRead,
  observedAt = new Date(),
): TLiveState {
  return {
    targetId: app.targetId,
    repoId: app.repoId,
    revisionId: app.revisionId,
    ...liveTreeOf(app.inventory, read),
    observedAt: observedAt.toISOString(),
  };
}

/** The digest of what a report says (not when it was read): equal digests are the same state. */
export function liveStateDigest(state: TLiveState): string {
  const { observedAt: _observedAt, ...content } = state;
  void _observedAt;
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

/** A one-line summary for the agent's log, e.g. `Degraded (Deployment web …): 5 objects`. */
export function describeLiveState(state: TLiveState): string {
  return `${state.health.status}${state.health.message ? ` (${state.health.message})` : ""}: ${state.nodeCount} objects`;
}

/**
 * Sends live states to Wharf: the latest per application, never one Wharf already has (same digest as the last one
 * it accepted), in batches of at most LIVE_STATES_BATCH_MAX states and about LIVE_STATE_BATCH_BYTES. A state that
 * changes again before it was sent replaces the queued one, so a burst of changes is one report. Wharf unreachable:
 * kept and retried with backoff (only the newest per application). Refused (403/422): logged and dropped.
 */
export class LiveStateReporter {
  readonly #wharf: WharfClient;
  readonly #log: (line: string) => void;
  readonly #backoff: Backoff;
  readonly #sent = new Map<string, string>();
  readonly #queued = new Map<string, { state: TLiveState; digest: string }>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #stopped = false;
  /** Reports sent (each application's state once per change), for tests and the benchmark. */
  sentCount = 0;

  constructor(wharf: WharfClient, log: (line: string) => void, backoff: { baseDelayMs: number; maxDelayMs: number }) {
    this.#wharf = wharf;
    this.#log = log;
    this.#backoff = new Backoff(backoff);
  }

  /** Queues an application's state unless Wharf already has it; true when it was queued. */
  report(state: TLiveState): boolean {
    const digest = liveStateDigest(state);
    if (this.#sent.get(state.repoId) === digest) {
      this.#queued.delete(state.repoId);
      return false;
    }
    this.#queued.set(state.repoId, { state, digest });
    this.#schedule(50);
    return true;
  }

  /** The repo is no longer assigned: nothing more of it is sent. */
  forget(repoId: string): void {
    this.#queued.delete(repoId);
    this.#sent.delete(repoId);
  }

  get pending(): number {
    return this.#queued.size;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing ??= this.flush().finally(() => (this.#flushing = undefined));
    }, delayMs);
  }

  /** Sends everything queued now; on an outage keeps it and retries later. */
  async flush(): Promise<void> {
    while (this.#queued.size > 0) {
      const batch: { state: TLiveState; digest: string }[] = [];
      let bytes = 0;
      for (const entry of this.#queued.values()) {
        const size = JSON.stringify(entry.state).length;
        if (batch.length > 0 && (batch.length >= LIVE_STATES_BATCH_MAX || bytes + size > LIVE_STATE_BATCH_BYTES)) break;
        batch.push(entry);
        bytes += size;
      }
      let accepted = false;
      try {
        await this.#wharf.sendLiveStates({ states: batch.map((b) => b.state) });
        this.#backoff.reset();
        accepted = true;
      } catch (err) {
        const forGood =
          err instanceof AgentError &&
          (err.code === "WHARF_REJECTED" || (err.code === "WHARF_FORBIDDEN" && err.details?.status === 403));
        if (!forGood) {
          this.#schedule(this.#backoff.fail());
          return;
        }
        this.#log(
          `live state: Wharf refused the state of ${batch.map((b) => `repo ${b.state.repoId}`).join(", ")}; dropped: ${err.message}`,
        );
      }
      for (const entry of batch) {
        this.#sent.set(entry.state.repoId, entry.digest);
        if (accepted) this.sentCount++;
        // A newer state queued while this one was in flight stays queued.
        if (this.#queued.get(entry.state.repoId)?.digest === entry.digest) this.#queued.delete(entry.state.repoId);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#flushing?.catch(() => undefined);
    if (this.#queued.size > 0) await this.flush().catch(() => undefined);
  }
}
