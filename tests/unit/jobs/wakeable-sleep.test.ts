import { afterEach, describe, expect, it, vi } from "vitest";
import { wakeableSleep } from "@/lib/jobs/wakeable-sleep";

afterEach(() => vi.useRealTimers());

describe("wakeableSleep", () => {
  it("ends at its time when nobody wakes it", async () => {
    vi.useFakeTimers();
    const idle = wakeableSleep();
    let done = false;
    const sleeping = idle.sleep(1_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it("ends at once on wake, and a wake while awake is not kept for the next sleep", async () => {
    vi.useFakeTimers();
    const idle = wakeableSleep();
    let done = false;
    const sleeping = idle.sleep(60_000).then(() => (done = true));
    idle.wake();
    await sleeping;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    idle.wake();
    let again = false;
    void idle.sleep(1_000).then(() => (again = true));
    await vi.advanceTimersByTimeAsync(500);
    expect(again).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(again).toBe(true);
  });
});
