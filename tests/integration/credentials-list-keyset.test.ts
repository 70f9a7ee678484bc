import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as credentialsListRoute from "@/app/api/credentials/route";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { tallyStatus } from "@/lib/credentials/data/list-active-credential-statuses";
import { listCredentials } from "@/lib/credentials/data/list-credentials";
import { createPolicy, updatePolicy } from "@/lib/credentials/data/save-policy";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { ROTATION_STATUSES, type TRotationStatus } from "@/lib/credentials/schemas";
import { DAY_MS, rotationStatus, rotationStatusInstants } from "@/lib/credentials/status";
import { resolvePolicyFrom } from "@/lib/credentials/views";
import { dbFor } from "@/lib/db/client";
import { findDueRotations } from "@/lib/rotation/data/find-due-rotations";
import { rotateCredential } from "@/lib/rotation/data/rotate-credential";
import { nextRotation, rotationDueReason } from "@/lib/credentials/rotation-due";
import { updateTarget } from "@/lib/targets/data/update-target";
import { callRoute, createCaller } from "../support/api";
import { useTestDatabase } from "../support/test-db";
import { seededRandom } from "@/lib/utils";

// The credentials list pages in the database (keyset over (target name, id), a status as conditions on the stored
// boundaries) and the rotation scheduler reads only rows past their stored `autoRotateAt`. Both must give exactly
// what computing every credential in memory gave: the reference below is the per-row rule (rotationStatus,
// rotationDueReason) over every active credential, sorted by target name then id. The fixture is random around the
// status boundaries; the seed is printed on failure and WHARF_TEST_SEED replays one.
const t = useTestDatabase();
const db = () => dbFor(t.url);
const seed = Number(process.env.WHARF_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ctx = { actor: SYSTEM_ACTOR, request: NO_REQUEST };
const run = randomBytes(3).toString("hex");
const ENVS = [`a-${run}`, `b-${run}`, `c-${run}`]; // c has no environment policy
const T0 = Date.UTC(2026, 2, 1);

const r = seededRandom(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function saJwt(iat: Date, exp: Date): string {
  const b = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const sub = `system:serviceaccount:ci:sa-${randomBytes(3).toString("hex")}`;
  return `${b({ alg: "RS256" })}.${b({ sub, iat: Math.floor(iat.getTime() / 1000), exp: Math.floor(exp.getTime() / 1000) })}.c2ln`;
}

/** Every active credential with what the rule needs: its row, its target and the policy that governs it now. */
async function activeRows() {
  const [rows, policies] = await Promise.all([
    db().credential.findMany({
      where: { state: "active" },
      select: {
        id: true,
        targetId: true,
        kind: true,
        issuedAt: true,
        lastRotatedAt: true,
        expiresAt: true,
        rotationError: true,
        nextRotationAttemptAt: true,
        target: { select: { name: true, mode: true, environment: true, credentialPolicyId: true } },
      },
    }),
    db().credentialPolicy.findMany(),
  ]);
  return rows.map((row) => {
    const policy = resolvePolicyFrom(row.target, policies);
    const autoRotate = row.kind === "service-account-token" && !!policy?.autoRotate;
    const schedule = {
      lastRotatedAt: row.lastRotatedAt,
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      maxAgeDays: policy?.maxAgeDays ?? null,
      autoRotate,
    };
    return {
      ...row,
      policy,
      targetName: row.target.name,
      rotateAt: autoRotate ? (nextRotation(schedule)?.at ?? null) : null,
      statusAt: (now: Date) =>
        rotationStatus({
          lastRotatedAt: row.lastRotatedAt,
          expiresAt: row.expiresAt,
          rotationError: row.rotationError,
          policy,
          now,
        }).status,
      dueAt: (now: Date) =>
        row.target.mode === "push"
          ? rotationDueReason({ ...schedule, now, nextAttemptAt: row.nextRotationAttemptAt })
          : null,
    };
  });
}

/**
 * The reference: every active credential's status and due rotation at `now` by the per-row rule, in the order the
 * in-memory list had (target name, then id).
 */
async function reference(now: Date) {
  return (await activeRows())
    .map((row) => ({ ...row, status: row.statusAt(now), due: row.dueAt(now) }))
    .sort((a, b) => a.targetName.localeCompare(b.targetName) || a.id.localeCompare(b.id));
}

type Boundary = "expiresAt" | "overdueAt" | "dueSoonAt" | "rotateAt" | "nextRotationAttemptAt";

/**
 * For each kind of boundary, `perKind` instants of that kind at which some credential's status (or due rotation)
 * really changes — picked at random, with the millisecond before and after — plus T0.
 */
async function interestingNows(kinds: readonly Boundary[], perKind: number): Promise<Date[]> {
  const rows = await activeRows();
  const nows = [T0];
  for (const kind of kinds) {
    const due = kind === "rotateAt" || kind === "nextRotationAttemptAt";
    const instants = rows.flatMap((row) => {
      const d = due
        ? row[kind]
        : rotationStatusInstants({ lastRotatedAt: row.lastRotatedAt, expiresAt: row.expiresAt, policy: row.policy })[
            kind
          ];
      if (!d) return [];
      const [before, at] = [new Date(d.getTime() - 1), d];
      const changes = due ? row.dueAt(before) !== row.dueAt(at) : row.statusAt(before) !== row.statusAt(at);
      return changes ? [d.getTime()] : [];
    });
    expect(instants.length, `seed ${seed}: no ${kind} in the fixture changes anything`).toBeGreaterThan(0);
    for (let i = 0; i < perKind; i++) {
      const ms = pick(instants);
      nows.push(ms - 1, ms, ms + 1);
    }
  }
  return nows.map((ms) => new Date(ms));
}

/** Follows nextCursor from the first page to the last, returning every page. */
async function allPages(opts: { status?: TRotationStatus; targetId?: string; limit: number; now: Date }) {
  const pages: Awaited<ReturnType<typeof listCredentials>>[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listCredentials({ ...opts, cursor });
    pages.push(page);
    if (!page.nextCursor) return pages;
    cursor = page.nextCursor;
    if (pages.length > 200) throw new Error("the list does not end");
  }
}

async function expectListFollowsTheRule(label: string, nows: Date[]) {
  for (const now of nows) {
    const rows = await reference(now);
    for (const status of [undefined, ...ROTATION_STATUSES]) {
      const want = rows
        .filter((row) => !status || row.status === status)
        .map((row) => ({ id: row.id, targetName: row.targetName, status: row.status }));
      for (const limit of [1, 2, 3]) {
        const why = `${label}, seed ${seed}, now ${now.toISOString()}, status ${status ?? "all"}, limit ${limit}`;
        const pages = await allPages({ status, limit, now });
        const got = pages.flatMap((p) =>
          p.items.map((v) => ({ id: v.id, targetName: v.targetName, status: v.status })),
        );
        expect(got, why).toEqual(want);
        // Full pages until the last, which may be short but is never empty unless the whole list is.
        for (const [i, p] of pages.entries())
          expect(p.items.length, why).toBe(i < pages.length - 1 ? limit : Math.min(limit, want.length - i * limit));
        expect(pages[0]!.counts, why).toEqual(tallyStatus(rows));
      }
    }
  }
}

async function expectDueRotationsFollowTheRule(label: string, nows: Date[]) {
  for (const now of nows) {
    const rows = await reference(now);
    const want = rows
      .filter((row) => row.due)
      .map((row) => ({ credentialId: row.id, targetName: row.targetName, reason: row.due }));
    const got = await findDueRotations({ now });
    const why = `${label}, seed ${seed}, now ${now.toISOString()}`;
    const byId = (a: { credentialId: string }, b: { credentialId: string }) =>
      a.credentialId.localeCompare(b.credentialId);
    expect([...got].sort(byId), why).toEqual([...want].sort(byId));
    // Oldest last rotation first, as before.
    const rotated = new Map(rows.map((row) => [row.id, row.lastRotatedAt.getTime()]));
    const order = got.map((d) => rotated.get(d.credentialId)!);
    expect(order, why).toEqual([...order].sort((a, b) => a - b));
  }
}

const policyIds: Record<string, string> = {};
const targetIds: string[] = [];

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
        autoRotate: true,
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
        autoRotate: true,
      },
    })
  ).id;
  // Names that sort by their hyphens and digits as well as letters (DNS labels: a-z, 0-9, '-').
  const stems = ["web", "web-1", "web1", "web-a", "weba", "w", "api-0", "api", "api-00", "z9", "a-b-c", "ab"];
  const failing: string[] = [];
  for (let i = 0; i < 26; i++) {
    const explicit = r() < 0.3 ? pick([policyIds.short!, policyIds.long!]) : null;
    const name = `${stems[i % stems.length]}-${Math.floor(i / stems.length)}${run}`;
    const target = await db().target.create({
      data: {
        name,
        environment: pick(ENVS),
        mode: "push",
        serverUrl: "https://127.0.0.1:9",
        credentialPolicyId: explicit,
      },
    });
    targetIds.push(target.id);
    const storedAt = new Date(T0 - Math.floor(r() * 120 * DAY_MS));
    const input =
      r() < 0.6
        ? {
            kind: "service-account-token" as const,
            token: saJwt(storedAt, new Date(storedAt.getTime() + Math.floor((1 + r() * 150) * DAY_MS))),
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
    if (input.kind === "service-account-token" && r() < 0.3) failing.push(credential.id);
    // Some targets hold history (the first always): a replaced credential is not listed.
    if (r() < 0.2 || i === 0) {
      const later = new Date(storedAt.getTime() + Math.floor(r() * 10 * DAY_MS));
      await saveCredential({
        targetId: target.id,
        input: { kind: "bearer-token", token: `opaque-${randomBytes(8).toString("hex")}` },
        actor: SYSTEM_ACTOR,
        actorRole: "admin",
        actorUserId: null,
        request: NO_REQUEST,
        now: later,
      });
    }
  }
  // Two fixed cases under envB's autoRotate policy (10 days): a 5-day token due by its lifetime at T0 + 2 d, and
  // a token past its max age whose rotation fails one minute before T0, so its backoff (one minute) ends at T0.
  const fixed = async (name: string, iat: number, exp: number, credentialPolicyId: string | null = null) => {
    const target = await db().target.create({
      data: {
        name: `${name}-${run}`,
        environment: ENVS[1]!,
        mode: "push",
        serverUrl: "https://127.0.0.1:9",
        credentialPolicyId,
      },
    });
    targetIds.push(target.id);
    const input = { kind: "service-account-token" as const, token: saJwt(new Date(T0 + iat), new Date(T0 + exp)) };
    return (
      await saveCredential({
        targetId: target.id,
        input,
        actor: SYSTEM_ACTOR,
        actorRole: "admin",
        actorUserId: null,
        request: NO_REQUEST,
        now: new Date(T0 + iat),
      })
    ).credential.id;
  };
  await fixed("lifetime", -2 * DAY_MS, 3 * DAY_MS);
  // Under the short policy (7 days, autoRotate switched on by a test below) and 8 days old: due at T0 whatever the
  // seed drew, so "a target moved to pull" always has a due credential to take away.
  await fixed("short-due", -8 * DAY_MS, 100 * DAY_MS, policyIds.short!);
  const backoff = await fixed("backoff", -20 * DAY_MS, 100 * DAY_MS);
  expect(
    (await rotateCredential({ credentialId: backoff, reason: "max-age", ...ctx, now: new Date(T0 - 60_000) })).kind,
  ).toBe("failed");
  // Failed rotations the real way (the cluster at 127.0.0.1:9 refuses): a stored error and a retry backoff.
  for (const credentialId of failing) {
    const active = await db().credential.findUniqueOrThrow({ where: { id: credentialId }, select: { state: true } });
    if (active.state !== "active") continue;
    expect(
      (
        await rotateCredential({
          credentialId,
          reason: "max-age",
          ...ctx,
          now: new Date(T0 - Math.floor(r() * 3 * DAY_MS)),
        })
      ).kind,
    ).toBe("failed");
  }
}, 120_000);

describe(`the credentials list, keyset-paginated in the database (seed ${seed})`, () => {
  it("pages through every status and page size 1..3 to exactly the per-row rule's rows, in (target name, id) order", async () => {
    expect(await db().credential.count({ where: { state: "active", rotationFailing: true } })).toBeGreaterThan(0);
    expect(await db().credential.count({ where: { state: { not: "active" } } })).toBeGreaterThan(0);
    await expectListFollowsTheRule("as stored", await interestingNows(["expiresAt", "overdueAt", "dueSoonAt"], 1));
    // Hundreds of pages (every status, page sizes 1..3, several instants): a busy 2-core CI machine took over 60 s.
  }, 180_000);

  it("follows a rename (the target's place in the order) and a policy edit, and filters one target", async () => {
    const [renamed, other] = [targetIds[0]!, targetIds[1]!];
    await updateTarget({ id: renamed, patch: { name: `zz-renamed-${run}` }, ...ctx });
    await updateTarget({ id: other, patch: { name: `aa-renamed-${run}`, environment: ENVS[1]! }, ...ctx });
    const now = new Date(T0);
    const rows = await reference(now);
    expect(rows.at(-1)?.target.name).toBe(`zz-renamed-${run}`);
    await expectListFollowsTheRule("after renames", [now]);

    const one = rows.find((row) => row.target.name === `aa-renamed-${run}`)!;
    const pages = await allPages({ targetId: other, limit: 1, now });
    expect(pages.flatMap((p) => p.items.map((v) => v.id))).toEqual([one.id]);
    expect(
      (await allPages({ targetId: other, status: one.status === "ok" ? "expired" : "ok", limit: 2, now })).flatMap(
        (p) => p.items,
      ),
    ).toEqual([]);
  });

  it("keeps its place when the row under the cursor is replaced meanwhile", async () => {
    const now = new Date(T0);
    const first = await listCredentials({ limit: 3, now });
    const atCursor = first.items.at(-1)!;
    const { credential } = await saveCredential({
      targetId: atCursor.targetId,
      input: { kind: "bearer-token", token: `opaque-${randomBytes(8).toString("hex")}` },
      actor: SYSTEM_ACTOR,
      actorRole: "admin",
      actorUserId: null,
      request: NO_REQUEST,
      now,
    });
    const rest = (await reference(now)).filter(
      (row) => row.targetName > atCursor.targetName || (row.targetName === atCursor.targetName && row.id > atCursor.id),
    );
    const second = await listCredentials({ limit: 100, now, cursor: first.nextCursor! });
    expect(second.items.map((v) => v.id)).toEqual(rest.map((row) => row.id));
    // The replacement has a new id on the same target: after the cursor only if its id sorts after the old one.
    expect(second.items.some((v) => v.id === credential.id)).toBe(credential.id > atCursor.id);
  });

  it("answers 422 for a cursor it did not produce", async () => {
    const viewer = await createCaller("viewer");
    for (const cursor of ["nope", Buffer.from(JSON.stringify({ id: "x" })).toString("base64url"), targetIds[0]!]) {
      const res = await callRoute(credentialsListRoute.GET, {
        path: `/api/credentials?limit=2&cursor=${cursor}`,
        as: viewer,
      });
      expect(res.status, cursor).toBe(422);
    }
    const ok = await callRoute(credentialsListRoute.GET, { path: "/api/credentials?limit=2", as: viewer });
    expect(ok.status).toBe(200);
    const next = await callRoute(credentialsListRoute.GET, {
      path: `/api/credentials?limit=2&cursor=${ok.body.nextCursor}`,
      as: viewer,
    });
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(2);
  });
});

describe(`the rotation scheduler's due credentials, from the stored autoRotateAt (seed ${seed})`, () => {
  it("are exactly the per-row rule's, at every instant around a due time, a backoff's end and a status boundary", async () => {
    expect((await reference(new Date(T0))).filter((row) => row.due).length).toBeGreaterThan(0);
    await expectDueRotationsFollowTheRule(
      "as stored",
      await interestingNows(["rotateAt", "nextRotationAttemptAt", "overdueAt", "expiresAt"], 4),
    );
  });

  it("follow a policy's autoRotate switched off and on, and a target moved to pull", async () => {
    const nows = await interestingNows(["rotateAt", "nextRotationAttemptAt"], 2);
    await updatePolicy({ ...ctx, id: policyIds.envB!, input: { autoRotate: false } });
    await expectDueRotationsFollowTheRule("envB autoRotate off", nows);
    await updatePolicy({ ...ctx, id: policyIds.short!, input: { autoRotate: true } });
    await expectDueRotationsFollowTheRule("short autoRotate on", nows);
    const due = (await reference(new Date(T0))).find((row) => row.due);
    expect(due, `seed ${seed}: nothing due at T0`).toBeDefined();
    await updateTarget({ id: due!.targetId, patch: { mode: "pull" }, ...ctx });
    await expectDueRotationsFollowTheRule("a target moved to pull", [new Date(T0), ...nows]);
  });
});
