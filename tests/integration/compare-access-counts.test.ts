import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import { USE_SUMMARY_ACTOR } from "@/lib/audit/data/record-capped-audit-event";
import type { Actor, TAuditAction } from "@/lib/audit/schemas";
import { getComparison } from "@/lib/compare/data/get-comparison";
import type { ComparisonRange } from "@/lib/compare/range";
import { db } from "@/lib/db";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();

const person: Actor = { kind: "user", id: null, name: "access-counts@test.wharf" };
const range = (environment: string | null): ComparisonRange => ({
  key: "custom",
  from: new Date(Date.now() - 3_600_000),
  to: new Date(Date.now() + 3_600_000),
  days: 1,
  environment,
});

async function target(environment: string): Promise<string> {
  const t = await db().target.create({
    data: {
      name: `access-${randomBytes(4).toString("hex")}`,
      environment,
      mode: "push",
      serverUrl: "https://127.0.0.1:6443",
    },
  });
  return t.id;
}

async function record(action: TAuditAction, targetId: string | null, times = 1, actor = person, details = {}) {
  for (let i = 0; i < times; i++)
    await recordStandaloneAuditEvent({
      actor,
      action,
      subjectType: action.startsWith("credential") ? "credential" : "request",
      targetId,
      outcome: action.endsWith("denied") ? "denied" : "success",
      details,
    });
}

const access = async (opts: { environment?: string; targetId?: string } = {}) => {
  const push = (await getComparison({ range: range(opts.environment ?? null), targetId: opts.targetId })).exposure.push;
  return { decrypts: push.decrypts, statusReads: push.statusReads, denied: push.denied };
};

// The access counts are grouped statements over the (action, at) index (one per scope): each figure still counts
// only its own action, in the scope in view, with a use summary counted as the reads it stands for.
describe("the comparison's access counts", () => {
  it("count each action in the target, environment or fleet in view, and route refusals fleet-wide", async () => {
    const [envA, envB] = [`access-a-${randomBytes(3).toString("hex")}`, `access-b-${randomBytes(3).toString("hex")}`];
    const [a, b] = [await target(envA), await target(envB)];
    const before = await access();

    await record("credential.decrypted", a, 2);
    await record("credential.decrypted", a, 1, USE_SUMMARY_ACTOR, { count: 5 });
    await record("credential.denied", a, 1);
    await record("credential.decrypted", b, 1);
    await record("credential.denied", b, 2);
    await record("auth.denied", null, 3);
    await record("agent.denied", null, 1);

    const fleet = {
      auth: before.denied.auth + 3,
      agent: before.denied.agent + 1,
    };
    expect(await access()).toEqual({
      decrypts: before.decrypts + 8,
      statusReads: before.statusReads + 5,
      denied: { ...fleet, credential: before.denied.credential + 3 },
    });
    expect(await access({ environment: envA })).toEqual({
      decrypts: 7,
      statusReads: 5,
      denied: { ...fleet, credential: 1 },
    });
    expect(await access({ environment: envB })).toEqual({
      decrypts: 1,
      statusReads: 0,
      denied: { ...fleet, credential: 2 },
    });
    // A target's page leaves route refusals out: they are about routes, not targets.
    expect(await access({ targetId: a })).toEqual({
      decrypts: 7,
      statusReads: 5,
      denied: { auth: 0, agent: 0, credential: 1 },
    });
  });
});
