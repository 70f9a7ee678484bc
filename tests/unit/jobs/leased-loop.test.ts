import { afterEach, describe, expect, it, vi } from "vitest";
import { runLeasedLoop, startOncePerProcess, stopProcessLoops } from "@/lib/jobs/leased-loop";

afterEach(() => vi.useRealTimers());

describe("runLeasedLoop (without a lease)", () => {
  it("passes again at once while work is waiting, then every interval from a pass's start; wake ends the wait", async () => {
    vi.useFakeTimers();
    const starts: number[] = [];
    let waiting = 2;
    const loop = runLeasedLoop({
      name: "test",
      holder: "h",
      intervalMs: 1_000,
      pass: async () => {
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, 100));
        return waiting-- > 0;
      },
    });
    await vi.advanceTimersByTimeAsync(300);
    expect(starts.length).toBe(3);
    const t0 = starts[2]!;
    await vi.advanceTimersByTimeAsync(999);
    expect(starts.length).toBe(4);
    expect(starts[3]! - t0).toBe(1_000);
    await vi.advanceTimersByTimeAsync(101);
    expect(starts.length).toBe(4);
    loop.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(starts.length).toBe(5);
    const stopping = loop.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(starts.length).toBe(5);
  });

  it("a wake during a pass is not lost: the loop passes again at once instead of sleeping its interval", async () => {
    vi.useFakeTimers();
    const starts: number[] = [];
    const loop = runLeasedLoop({
      name: "test",
      holder: "h",
      intervalMs: 10_000,
      pass: async () => {
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, 100));
        return false;
      },
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(starts.length).toBe(1);
    // Work was queued after this pass looked for it: its wake comes while the pass is still running.
    loop.wake();
    await vi.advanceTimersByTimeAsync(50);
    expect(starts.length).toBe(2);
    expect(starts[1]! - starts[0]!).toBe(100);
    // Without a wake, the next pass waits for the interval.
    await vi.advanceTimersByTimeAsync(9_000);
    expect(starts.length).toBe(2);
    const stopping = loop.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopping;
  });

  it("logs a failed pass and goes on; stop({ abandon }) aborts the pass's signal; onWake is unsubscribed on stop", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let subscribed = 0;
    let wake: (() => void) | undefined;
    let passes = 0;
    let aborted: Promise<void> | undefined;
    const loop = runLeasedLoop({
      name: "test",
      holder: "h",
      intervalMs: 60_000,
      onWake: (fn) => {
        subscribed++;
        wake = fn;
        return () => subscribed--;
      },
      pass: async ({ signal }) => {
        passes++;
        if (passes === 1) throw new Error("boom");
        aborted = new Promise((resolve) => signal.addEventListener("abort", () => resolve()));
        await aborted;
      },
    });
    await vi.waitFor(() => expect(errors).toHaveBeenCalledWith("[wharf] test h: pass failed:", expect.any(Error)));
    expect(subscribed).toBe(1);
    wake?.();
    await vi.waitFor(() => expect(passes).toBe(2));
    await loop.stop({ abandon: true });
    expect(subscribed).toBe(0);
    errors.mockRestore();
  });
});

describe("startOncePerProcess", () => {
  it("starts once, not at all while switched off, and again after stopProcessLoops stopped it", async () => {
    const key = `test-${Math.random()}`;
    let stops = 0;
    const start = () => ({ stop: async () => void stops++ });
    expect(startOncePerProcess(key, () => null)).toBeNull();
    const first = startOncePerProcess(key, start);
    expect(startOncePerProcess(key, start)).toBe(first);
    await stopProcessLoops();
    expect(stops).toBe(1);
    const second = startOncePerProcess(key, start);
    expect(second).not.toBe(first);
    await stopProcessLoops();
    expect(stops).toBe(2);
  });
});
