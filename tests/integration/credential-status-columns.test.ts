import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { ageBars } from "@/lib/compare/figures";
import { resolveRange } from "@/lib/compare/range";
import { countCredentialStatuses, type CredentialScope } from "@/lib/credentials/data/count-credential-statuses";
import { tallyStatus } from "@/lib/credentials/data/list-active-credential-statuses";
import { deletePolicy } from "@/lib/credentials/data/delete-policy";
import { createPolicy, updatePolicy } from "@/lib/credentials/data/save-policy";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { DAY_MS, rotationStatus, rotationStatusInstants } from "@/lib/credentials/status";
import { resolvePolicyFrom } from "@/lib/credentials/views";
import { dbFor } from "@/lib/db/client";
import { rotateCredential } from "@/lib/rotation/data/rotate-credential";
import { updateTarget } from "@/lib/targets/data/update-target";
import { useTestDatabase } from "../support/test-db";
import { seededRandom } from "@/lib/utils";

// The status counts are indexed range counts over boundaries stored on each credential; the rule is
// `rotationStatus`, evaluated row by row. On a random fixture (policies by environment and by name, tokens that
// expire, failed rotations, no policy) the two must agree at every `now` around every boundary, for every scope the
// comparison uses, and again after each change that moves boundaries (policy edits, a target's environment or
// policy). The seed is printed on failure; WHARF_TEST_SEED replays one.
const t = useTestDatabase();
const db = () => dbFor(t.url);
const seed = Number(process.env.WHARF_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ctx = { actor: SYSTEM_ACTOR, request: NO_REQUEST };
const run = randomBytes(3).toString("hex");
const ENVS = [`a-${run}`, `b-${run}`, `c-${run}`]; // c has no environment policy
const T0 = Date.UTC(2026, 2, 1);

const r = seededRandom(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function saJwt(exp: Date): string {
  const b = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b({ alg: "RS256" })}.${b({ sub: `system:serviceaccount:ci:sa-${randomBytes(3).toString("hex")}`, exp: Math.floor(exp.getTime() / 1000) })}.c2ln`;
}

/** Per-row reference: each active credential's status by the rule, from its row, its target and the policy table. */
async function reference(now: Date, scope: CredentialScope = {}) {
  const [rows, policies] = await Promise.all([
    db().credential.findMany({
      where: {
        state: "active",
        ...(scope.targetId ? { targetId: scope.targetId } : {}),
        ...(scope.environment ? { target: { environment: scope.environment } } : {}),
      },
      select: {
        id: true,
        kind: true,
        lastRotatedAt: true,
        expiresAt: true,
        rotationError: true,
        target: { select: { environment: true, credentialPolicyId: true } },
      },
    }),
    db().credentialPolicy.findMany(),
  ]);
  return rows.map((row) => {
    const policy = resolvePolicyFrom(row.target, policies);
    return {
      ...row,
      policy,
      status: rotationStatus({
        lastRotatedAt: row.lastRotatedAt,
        expiresAt: row.expiresAt,
        rotationError: row.rotationError,
        policy,
        now,
      }).status,
    };
  });
}

/** Instants around which a status or an age bucket changes, ±1 ms, plus a few at random. */
async function interestingNows(limit: number): Promise<Date[]> {
  const rows = await reference(new Date(T0));
  const instants: number[] = [];
  for (const row of rows) {
    const i = rotationStatusInstants({
      lastRotatedAt: row.lastRotatedAt,
      expiresAt: row.expiresAt,
      policy: row.policy,
    });
    for (const d of [i.expiresAt, i.overdueAt, i.dueSoonAt]) if (d) instants.push(d.getTime());
    instants.push(row.lastRotatedAt.getTime() + pick([7, 14, 30, 60, 90, 180, 365]) * DAY_MS);
  }
  const chosen = Array.from({ length: limit }, () => pick(instants));
  return [...chosen.flatMap((ms) => [ms - 1, ms, ms + 1]), T0, T0 + Math.floor(r() * 400 * DAY_MS)].map(
    (ms) => new Date(ms),
  );
}

async function expectCountsFollowTheRule(label: string, nows: Date[]) {
  const targetIds = (await db().credential.findMany({ where: { state: "active" }, select: { targetId: true } })).map(
    (c) => c.targetId,
  );
  const scopes: CredentialScope[] = [
    {},
    ...ENVS.map((environment) => ({ environment })),
    { targetId: pick(targetIds) },
    { targetId: pick(targetIds) },
  ];
  for (const now of nows) {
    for (const scope of scopes) {
      const rows = await reference(now, scope);
      const { total, ...counts } = await countCredentialStatuses({ scope, now });
      const why = `${label}, seed ${seed}, now ${now.toISOString()}, scope ${JSON.stringify(scope)}`;
      expect(counts, why).toEqual(tallyStatus(rows));
      expect(total, why).toBe(rows.length);
    }
  }
}

/** The comparison's exposure figures (an environment, or one target's page) against the same per-row reference. */
async function expectComparisonFollowsTheRule(now: Date, scope: { environment: string } | { targetId: string }) {
  const rows = await reference(now, scope);
  const c =
    "targetId" in scope
      ? await getComparison({ range: resolveRange({ range: "7" }), targetId: scope.targetId, now })
      : await getComparison({ range: resolveRange({ range: "7", environment: scope.environment }), now });
  const why = `seed ${seed}, now ${now.toISOString()}, ${JSON.stringify(scope)}`;
  expect(c.exposure.push.credentials, why).toBe(rows.length);
  expect(c.exposure.push.status, why).toEqual(tallyStatus(rows));
  expect(c.exposure.push.ages, why).toEqual(
    ageBars(
      rows.map((row) => ({
        ageDays: (now.getTime() - row.lastRotatedAt.getTime()) / DAY_MS,
        policyMaxAgeDays: row.policy?.maxAgeDays ?? null,
      })),
    ),
  );
  const kinds = new Map<string, number>();
  for (const row of rows) kinds.set(row.kind, (kinds.get(row.kind) ?? 0) + 1);
  expect(Object.fromEntries(c.exposure.push.byKind.map((k) => [k.kind, k.count])), why).toEqual(
    Object.fromEntries(kinds),
  );
}

async function expectComparisonsFollowTheRule(nows: Date[]) {
  const targetIds = (await db().credential.findMany({ where: { state: "active" }, select: { targetId: true } })).map(
    (c) => c.targetId,
  );
  for (const now of nows) {
    for (const environment of ENVS) await expectComparisonFollowsTheRule(now, { environment });
    for (let i = 0; i < 3; i++) await expectComparisonFollowsTheRule(now, { targetId: pick(targetIds) });
  }
}

const policyIds: Record<string, string> = {};

beforeAll(async () => {
  policyIds.envA = (
    await createPolicy({
      ...ctx,
      input: {
        name: `env-a-${run}`,
        maxAgeDays: 30,
        warnBeforeDays: 5,
        environment: ENVS[0]!,
        minReplaceRole: "admin",
        autoRotate: false,
      },
    })
  ).id;
  policyIds.envB = (
    await createPolicy({
      ...ctx,
      input: {
        name: `env-b-${run}`,
        maxAgeDays: 10,
        warnBeforeDays: 2,
        environment: ENVS[1]!,
        minReplaceRole: "admin",
        autoRotate: false,
      },
    })
  ).id;
  policyIds.short = (
    await createPolicy({
      ...ctx,
      input: {
        name: `short-${run}`,
        maxAgeDays: 7,
        warnBeforeDays: 1,
        environment: null,
        minReplaceRole: "admin",
        autoRotate: false,
      },
    })
  ).id;
  policyIds.long = (
    await createPolicy({
      ...ctx,
      input: {
        name: `long-${run}`,
        maxAgeDays: 90,
        warnBeforeDays: 14,
        environment: null,
        minReplaceRole: "admin",
        autoRotate: false,
      },
    })
  ).id;
  const failing: string[] = [];
  for (let i = 0; i < 48; i++) {
    const explicit = r() < 0.3 ? pick([policyIds.short!, policyIds.long!]) : null;
    const target = await db().target.create({
      data: {
        name: `sc-${run}-${i}`,
        environment: pick(ENVS),
        mode: "push",
        serverUrl: "https://127.0.0.1:9",
        credentialPolicyId: explicit,
      },
    });
    const storedAt = new Date(T0 - Math.floor(r() * 200 * DAY_MS));
    // The first target always expires and fails its rotation, so no seed leaves the failing case untested.
    const expires = r() < 0.5 || i === 0;
    const input = expires
      ? {
          kind: "service-account-token" as const,
          token: saJwt(new Date(storedAt.getTime() + Math.floor((1 + r() * 120) * DAY_MS))),
        }
      : { kind: "bearer-token" as const, token: `opaque-${randomBytes(8).toString("hex")}` };
    const { credential } = await saveCredential({
      targetId: target.id,
      input,
      actor: SYSTEM_ACTOR,
      actorRole: "admin",
      actorUserId: null,
      request: NO_REQUEST,
      now: storedAt,
    });
    if (expires && (r() < 0.25 || i === 0)) failing.push(credential.id);
  }
  // Failed rotations the real way: the cluster (127.0.0.1:9) refuses, and the failure is stored on the credential.
  for (const credentialId of failing) {
    const outcome = await rotateCredential({ credentialId, reason: "max-age", ...ctx, now: new Date(T0) });
    expect(outcome.kind).toBe("failed");
  }
}, 120_000);

describe(`status counts from stored boundaries (seed ${seed})`, () => {
  it("equal the per-row rule at every instant around a boundary, for all, each environment and single targets", async () => {
    expect(await db().credential.count({ where: { state: "active", rotationFailing: true } })).toBeGreaterThan(0);
    await expectCountsFollowTheRule("as stored", await interestingNows(25));
  });

  it("give the comparison the per-row rule's statuses, age bars (with the policy line) and kinds, per environment and per target", async () => {
    await expectComparisonsFollowTheRule(await interestingNows(4));
  });

  it("follow a policy edit, a new environment policy and a deleted one", async () => {
    await updatePolicy({ ...ctx, id: policyIds.envA!, input: { maxAgeDays: 20, warnBeforeDays: 9 } });
    await expectCountsFollowTheRule("after editing an environment policy", await interestingNows(8));
    await updatePolicy({ ...ctx, id: policyIds.short!, input: { maxAgeDays: 45 } });
    await expectCountsFollowTheRule("after editing an explicit policy", await interestingNows(8));
    await createPolicy({
      ...ctx,
      input: {
        name: `env-c-${run}`,
        maxAgeDays: 14,
        warnBeforeDays: 3,
        environment: ENVS[2]!,
        minReplaceRole: "admin",
        autoRotate: false,
      },
    });
    await expectCountsFollowTheRule("after a policy for the unpoliced environment", await interestingNows(8));
    await updatePolicy({ ...ctx, id: policyIds.envB!, input: { environment: null } });
    await expectCountsFollowTheRule("after an environment policy became explicit-only", await interestingNows(8));
    await deletePolicy({ ...ctx, id: policyIds.long! });
    await expectCountsFollowTheRule("after deleting an explicit policy", await interestingNows(8));
  });

  it("follow a target's environment and policy changes", async () => {
    const targets = await db().target.findMany({
      where: { name: { startsWith: `sc-${run}-` } },
      select: { id: true, environment: true },
    });
    for (const target of targets.slice(0, 12)) {
      const environment = ENVS.find((e) => e !== target.environment)!;
      await updateTarget({ id: target.id, patch: { environment }, ...ctx });
    }
    for (const target of targets.slice(12, 20)) {
      await updateTarget({ id: target.id, patch: { credentialPolicyId: pick([policyIds.short!, null]) }, ...ctx });
    }
    await expectCountsFollowTheRule("after target changes", await interestingNows(10));
    await expectComparisonsFollowTheRule(await interestingNows(2));
  });
});
