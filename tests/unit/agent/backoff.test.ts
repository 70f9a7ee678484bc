import { describe, expect, it } from "vitest";
import { Backoff, withJitter } from "@/lib/agent/backoff";

describe("Backoff", () => {
  it("grows exponentially, is capped, jitters within [ceiling/2, ceiling] and resets on success", () => {
    const high = new Backoff({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 });
    expect([1, 2, 3, 4, 5, 6].map(() => high.fail())).toEqual([99, 199, 399, 799, 999, 999]);
    const low = new Backoff({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    expect([1, 2, 3, 4, 5].map(() => low.fail())).toEqual([50, 100, 200, 400, 500]);
    expect(low.failures).toBe(5);
    low.reset();
    expect(low.fail()).toBe(50);
  });

  it("spreads poll timers by ±10%", () => {
    expect(withJitter(10_000, 0.1, () => 0)).toBe(9000);
    expect(withJitter(10_000, 0.1, () => 1)).toBe(11_000);
    expect(withJitter(10_000, 0.1, () => 0.5)).toBe(10_000);
  });
});
