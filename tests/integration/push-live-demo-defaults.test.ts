import { describe, expect, it } from "vitest";
import { seedIfEmpty } from "@/lib/cli/seed-demo";
import { dbFor } from "@/lib/db/client";
import { useTestDatabase } from "../support/test-db";

// Issue 15, Must 2: the demo's targets start as new targets do — background live-state reads (each a credential use)
// every 300 s on the dev and staging push targets, off on the production push target and on pull targets.

const t = useTestDatabase();

describe("demo targets' background live-state reads", () => {
  it("are on for dev and staging push targets and off for prod and pull", async () => {
    const seeded = await seedIfEmpty({ sandbox: null });
    expect(seeded.seeded).toBe(true);
    const targets = await dbFor(t.url).target.findMany({
      select: { environment: true, mode: true, statusReadIntervalSeconds: true },
    });
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      const expected = target.mode === "push" && target.environment !== "prod" ? 300 : null;
      expect(target.statusReadIntervalSeconds, `${target.environment} ${target.mode}`).toBe(expected);
    }
    expect(targets.some((x) => x.mode === "push" && x.environment === "prod")).toBe(true);
    expect(targets.some((x) => x.mode === "push" && x.environment !== "prod")).toBe(true);
  });
});
