import { beforeAll, describe, expect, it } from "vitest";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createPullTarget, fakeSha } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let deployer: Caller;

beforeAll(async () => {
  deployer = await createCaller("deployer");
});

function register(targetId: string, tagPattern: string) {
  return callRoute(reposRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/repos`,
    params: { id: targetId },
    body: { url: `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`, imagePolicies: [{ name: "app", repository: "127.0.0.1:5000/team/app", tagPattern }] },
    as: deployer,
  });
}

describe("image policy tag patterns at registration", () => {
  it("refuses patterns RE2 cannot run (lookaround, backreferences) and oversized ones with 422 and a clear message; stores nothing", async () => {
    const pull = await createPullTarget();
    for (const [pattern, says] of [
      ["^(?=main-)main-(\\d+)$", /lookaround/],
      ["^(\\d+)-\\1$", /Backreferences/],
      [`^${"a".repeat(300)}$`, /at most 256 characters/],
      ["^[a-z]{1,300}-(\\d+)$", /too complex/],
    ] as const) {
      const res = await register(pull.id, pattern);
      expect(res.status, pattern).toBe(422);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(JSON.stringify(res.body.error), pattern).toMatch(says);
    }
    expect(await dbFor(t.url).pullRepo.count({ where: { targetId: pull.id } })).toBe(0);
  });

  it("accepts linear-time patterns, named order groups included; the catastrophic-looking ^(a+)+$ is harmless under RE2", async () => {
    const pull = await createPullTarget();
    expect((await register(pull.id, "^main-(?<order>\\d+)$")).status).toBe(201);
    expect((await register(pull.id, "^(a+)+$")).status).toBe(201);
  });
});
