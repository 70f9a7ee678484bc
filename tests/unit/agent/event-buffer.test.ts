import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EventBuffer } from "@/lib/agent/event-buffer";
import type { TSyncEventInput } from "@/lib/agent/protocol";

function event(message: string): TSyncEventInput {
  return {
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    targetId: "t",
    repoId: "r",
    kind: "sync",
    trigger: "poll",
    result: "synced",
    message,
  };
}
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "wharf-journal-"));

describe("EventBuffer", () => {
  it("keeps events across restarts until acknowledged, in order", () => {
    const dir = tempDir();
    const buffer = new EventBuffer({ dir });
    const events = ["a", "b", "c"].map(event);
    events.forEach((e) => buffer.append(e));
    const reopened = new EventBuffer({ dir });
    expect(reopened.peek(10).events.map((e) => e.message)).toEqual(["a", "b", "c"]);
    reopened.acknowledge([events[0]!.id, events[1]!.id], 0);
    expect(new EventBuffer({ dir }).peek(10).events.map((e) => e.message)).toEqual(["c"]);
  });

  it("drops the oldest on overflow, counts them, and clears the count once reported", () => {
    const dir = tempDir();
    const buffer = new EventBuffer({ dir, capacity: 3 });
    for (const m of ["1", "2", "3", "4", "5"]) buffer.append(event(m));
    expect(buffer.peek(10)).toMatchObject({ dropped: 2 });
    expect(buffer.peek(10).events.map((e) => e.message)).toEqual(["3", "4", "5"]);
    const batch = buffer.peek(2);
    expect(batch.events.map((e) => e.message)).toEqual(["3", "4"]);
    // While the batch was in flight, one more event pushed another old one out.
    buffer.append(event("6"));
    expect(buffer.dropped).toBe(3);
    buffer.acknowledge(
      batch.events.map((e) => e.id),
      batch.dropped,
    );
    expect(buffer.dropped).toBe(1);
    expect(buffer.peek(10).events.map((e) => e.message)).toEqual(["5", "6"]);
    expect(new EventBuffer({ dir, capacity: 3 }).dropped).toBe(1);
  });

  it("ignores a line torn by a crash mid-append", () => {
    const dir = tempDir();
    const buffer = new EventBuffer({ dir });
    buffer.append(event("whole"));
    fs.appendFileSync(path.join(dir, "events.jsonl"), '{"id":"torn');
    expect(new EventBuffer({ dir }).peek(10).events.map((e) => e.message)).toEqual(["whole"]);
  });
});
