import fs from "node:fs";
import path from "node:path";
import type { TSyncEventInput } from "./protocol";

export interface EventBufferOptions {
  /** Directory for `events.jsonl` (the journal) and `events-meta.json` (the dropped count). */
  dir: string;
  /** Most events kept; beyond it the oldest are dropped and counted. Default 10,000. */
  capacity?: number;
}

/**
 * Events waiting for Wharf, journalled to disk so a restart or a Wharf outage loses none. Appends are synchronous
 * (an event is on disk before the sync that produced it moves on). An event leaves the journal only once Wharf
 * answered 2xx for the batch holding it; since Wharf dedups by event id, a batch resent after a crash between the
 * answer and the journal rewrite is still stored once. When the journal is full the OLDEST event is dropped: recent
 * state matters more than old history, and the count is reported with the next batch.
 */
export class EventBuffer {
  readonly #journal: string;
  readonly #meta: string;
  readonly #capacity: number;
  #events: TSyncEventInput[] = [];
  #dropped = 0;

  constructor(opts: EventBufferOptions) {
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    this.#journal = path.join(opts.dir, "events.jsonl");
    this.#meta = path.join(opts.dir, "events-meta.json");
    this.#capacity = opts.capacity ?? 10_000;
    this.#load();
  }

  #load(): void {
    if (fs.existsSync(this.#journal)) {
      for (const line of fs.readFileSync(this.#journal, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
          this.#events.push(JSON.parse(line) as TSyncEventInput);
        } catch {
          // A line torn by a crash mid-append: the event never finished being recorded.
        }
      }
    }
    if (fs.existsSync(this.#meta)) {
      try {
        const meta = JSON.parse(fs.readFileSync(this.#meta, "utf8")) as { dropped?: unknown };
        this.#dropped = typeof meta.dropped === "number" ? meta.dropped : 0;
      } catch {
        this.#dropped = 0;
      }
    }
    if (this.#events.length > this.#capacity) {
      this.#dropped += this.#events.length - this.#capacity;
      this.#events = this.#events.slice(-this.#capacity);
      this.#rewrite();
    }
  }

  #writeAtomic(file: string, content: string): void {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, content, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  #rewrite(): void {
    this.#writeAtomic(this.#journal, this.#events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    this.#writeAtomic(this.#meta, JSON.stringify({ dropped: this.#dropped }));
  }

  /** Journals an event (dropping the oldest when full). */
  append(event: TSyncEventInput): void {
    this.#events.push(event);
    if (this.#events.length > this.#capacity) {
      const excess = this.#events.length - this.#capacity;
      this.#events.splice(0, excess);
      this.#dropped += excess;
      this.#rewrite();
    } else {
      fs.appendFileSync(this.#journal, `${JSON.stringify(event)}\n`, { mode: 0o600 });
    }
  }

  /** Events waiting, oldest first. */
  get size(): number {
    return this.#events.length;
  }

  /** Events dropped by overflow and not yet reported to Wharf. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The oldest `max` events and the dropped count to send with them; nothing is removed until `acknowledge`. */
  peek(max: number): { events: TSyncEventInput[]; dropped: number } {
    return { events: this.#events.slice(0, max), dropped: this.#dropped };
  }

  /** Counts events discarded for another reason than overflow (Wharf refused them for good), for the next report. */
  countDropped(count: number): void {
    this.#dropped += count;
    this.#writeAtomic(this.#meta, JSON.stringify({ dropped: this.#dropped }));
  }

  /**
   * Removes what a 2xx answer covered: the given event ids (matched by id, since overflow may have dropped some of
   * them meanwhile) and the dropped count that was reported with them.
   */
  acknowledge(ids: string[], reportedDropped: number): void {
    const done = new Set(ids);
    this.#events = this.#events.filter((e) => !done.has(e.id));
    this.#dropped = Math.max(0, this.#dropped - reportedDropped);
    this.#rewrite();
  }
}
