import "server-only";
import type { HeartbeatResult } from "../data/executor-lease";
import {
  writeProgress,
  type LogLevel,
  type ObjectAction,
  type PlannedObject,
  type ProgressBatch,
} from "../data/executor-progress";

/**
 * Collects a run's progress (object results, log lines, counters) while the cluster work goes on, and writes it in
 * small batches: one transaction per ~150 ms instead of one per object keeps a 200-object apply from waiting on the
 * database, and the page still sees progress within a poll interval. Writes are serialized, so log `seq` follows
 * event order.
 */
export class ProgressRecorder {
  private objects = new Map<number, NonNullable<ProgressBatch["objects"]>[number]>();
  private extraObjects: NonNullable<ProgressBatch["extraObjects"]> = [];
  private logs: NonNullable<ProgressBatch["logs"]> = [];
  private counters: NonNullable<ProgressBatch["deployment"]> = {};
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dropped = false;
  /** The first write failure, rethrown by `flush()` so the run cannot claim success on unrecorded results. */
  private failure: unknown;

  constructor(
    private readonly deploymentId: string,
    private readonly processId: string,
    private readonly flushMs = 150,
  ) {}

  object(position: number, action: ObjectAction, message?: string | null, namespace?: string | null): void {
    this.objects.set(position, {
      position,
      action,
      ...(message !== undefined ? { message } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
    });
    this.schedule();
  }

  extraObject(object: PlannedObject & { action: ObjectAction; message?: string | null }): void {
    this.extraObjects.push(object);
    this.schedule();
  }

  log(level: LogLevel, message: string): void {
    this.logs.push({ level, message, at: new Date() });
    this.schedule();
  }

  set(counters: NonNullable<ProgressBatch["deployment"]>): void {
    Object.assign(this.counters, counters);
    this.schedule();
  }

  /** Writes everything collected so far and waits for it (and earlier batches) to be stored. */
  async flush(): Promise<void> {
    await this.write(undefined);
  }

  /**
   * A flush that also renews the run's lease in the same transaction, and says whether the lease is still held and a
   * cancel was asked for: the executor's checkpoint in one commit instead of two.
   */
  async flushWithLease(leaseMs: number): Promise<HeartbeatResult> {
    return (await this.write({ leaseMs })) ?? { held: false, cancelRequested: false };
  }

  private async write(lease: { leaseMs: number } | undefined): Promise<HeartbeatResult | undefined> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let beat: Promise<HeartbeatResult | undefined> = Promise.resolve(undefined);
    if (!this.dropped) {
      const batch: ProgressBatch = {
        objects: [...this.objects.values()],
        extraObjects: this.extraObjects,
        logs: this.logs,
        deployment: this.counters,
      };
      this.objects = new Map();
      this.extraObjects = [];
      this.logs = [];
      this.counters = {};
      const empty =
        !batch.objects?.length &&
        !batch.extraObjects?.length &&
        !batch.logs?.length &&
        Object.keys(batch.deployment ?? {}).length === 0;
      if (!empty || lease) {
        const target = { deploymentId: this.deploymentId, processId: this.processId, batch };
        const store = async (): Promise<HeartbeatResult | undefined> => {
          if (lease) return writeProgress({ ...target, lease });
          await writeProgress(target);
          return undefined;
        };
        const written = this.chain.then(store);
        this.chain = written.then(
          () => undefined,
          (err: unknown) => {
            this.failure ??= err;
          },
        );
        beat = written.catch(() => undefined);
      }
    }
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
    return beat;
  }

  /** Stops writing: the claim was lost or the process is going away; the next holder records its own run. */
  drop(): void {
    this.dropped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.dropped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, this.flushMs);
  }
}
