import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange } from "@/lib/compare/range";
import { listActiveCredentialStatuses, tallyStatus } from "@/lib/credentials/data/list-active-credential-statuses";
import { countCredentialsByStatus, listCredentials } from "@/lib/credentials/data/list-credentials";
import { DAY_MS } from "@/lib/credentials/status";
import { recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { dbFor } from "@/lib/db/client";
import { useTestDatabase } from "../support/test-db";

// The home page and the comparison count statuses from a narrow read; the credentials list builds full views. Both
// must agree on every edge: explicit policy over environment policy, no policy, limits reached to the millisecond,
// an empty stored rotation error, superseded rows.
const t = useTestDatabase();
const db = () => dbFor(t.url);
const now = new Date(Date.UTC(2026, 5, 1, 12));
const at = (ms: number) => new Date(now.getTime() + ms);
const env = `sc-${randomBytes(3).toString("hex")}`;

async function credential(opts: {
  environment?: string;
  policyId?: string | null;
  mode?: "push" | "pull";
  lastRotatedAt: Date;
  expiresAt?: Date | null;
  rotationError?: string | null;
  state?: string;
}) {
  const target = await db().target.create({
    data: {
      name: `sc-${randomBytes(4).toString("hex")}`,
      environment: opts.environment ?? env,
      mode: opts.mode ?? "push",
      serverUrl: "https://127.0.0.1:6443",
      credentialPolicyId: opts.policyId ?? null,
    },
  });
  await db().credential.create({
    data: {
      targetId: target.id,
      kind: "bearer-token",
      state: opts.state ?? "active",
      ciphertext: "x",
      keyId: "k",
      fingerprint: randomBytes(8).toString("hex"),
      lastRotatedAt: opts.lastRotatedAt,
      expiresAt: opts.expiresAt ?? null,
      rotationError: opts.rotationError ?? null,
    },
  });
}

beforeAll(async () => {
  await db().credentialPolicy.create({
    data: { name: `${env}-env`, maxAgeDays: 30, warnBeforeDays: 5, environment: env },
  });
  const explicit = await db().credentialPolicy.create({
    data: { name: `${env}-explicit`, maxAgeDays: 10, warnBeforeDays: 2 },
  });
  const D = DAY_MS;
  // Environment policy (30 d, warn 5 d).
  await credential({ lastRotatedAt: at(-1 * D) }); // ok
  await credential({ lastRotatedAt: at(-25 * D) }); // due-soon: exactly at max age − warn
  await credential({ lastRotatedAt: at(-25 * D + 1) }); // ok: one ms before
  await credential({ lastRotatedAt: at(-30 * D) }); // overdue: exactly at max age
  await credential({ lastRotatedAt: at(-1 * D), expiresAt: now }); // expired: exactly at expiry
  await credential({ lastRotatedAt: at(-31 * D), expiresAt: at(-D) }); // expired beats overdue
  await credential({ lastRotatedAt: at(-1 * D), rotationError: "forbidden" }); // rotation-failed
  await credential({ lastRotatedAt: at(-1 * D), rotationError: "" }); // ok: an empty message is no failure
  await credential({ lastRotatedAt: at(-31 * D), rotationError: "forbidden" }); // overdue beats rotation-failed
  await credential({ lastRotatedAt: at(-1 * D), expiresAt: at(5 * D) }); // due-soon by expiry
  await credential({ lastRotatedAt: at(-40 * D), state: "superseded" }); // not counted
  // Explicit policy (10 d, warn 2 d) wins over the environment's.
  await credential({ policyId: explicit.id, lastRotatedAt: at(-9 * D) }); // due-soon (would be ok under env)
  await credential({ policyId: explicit.id, lastRotatedAt: at(-12 * D) }); // overdue
  // No policy: no age limit; expiry warns 7 days ahead.
  await credential({ environment: `${env}-none`, lastRotatedAt: at(-400 * D) }); // ok
  await credential({ environment: `${env}-none`, lastRotatedAt: at(-1 * D), expiresAt: at(7 * D) }); // due-soon
  await credential({ environment: `${env}-none`, lastRotatedAt: at(-1 * D), expiresAt: at(7 * D + 1) }); // ok
  await credential({ environment: `${env}-none`, lastRotatedAt: at(-1 * D), rotationError: "boom" }); // rotation-failed
  // The rows above were written around the data layer: store their status boundaries as the data layer would.
  await recomputeCredentialStatusColumns(db());
});

describe("credential status counts from the narrow read", () => {
  it("match the full credential views, row by row and in total", async () => {
    const views = await listCredentials({ limit: 1000, now });
    const statuses = await listActiveCredentialStatuses({ target: {}, now });
    const byId = new Map(views.items.map((v) => [v.id, v.status]));
    expect(statuses.length).toBe(views.items.length);
    for (const s of statuses) expect(s.status, s.id).toBe(byId.get(s.id));
    expect(await countCredentialsByStatus({ now })).toEqual(tallyStatus(views.items));
    expect(views.counts).toEqual(tallyStatus(views.items));
  });

  it("count this fixture as computed by hand", async () => {
    const mine = await listActiveCredentialStatuses({ target: { environment: { startsWith: env } }, now });
    const tally: Record<string, number> = {};
    for (const s of mine) tally[s.status] = (tally[s.status] ?? 0) + 1;
    expect(tally).toEqual({ ok: 5, "due-soon": 4, overdue: 3, expired: 2, "rotation-failed": 2 });
  });

  it("give the comparison the same figures for an environment", async () => {
    const c = await getComparison({ range: resolveRange({ range: "7", environment: env }), now });
    expect(c.exposure.push.credentials).toBe(12);
    expect(c.exposure.push.status).toEqual({ ok: 3, dueSoon: 3, rotationFailed: 1, overdue: 3, expired: 2 });
    expect(c.exposure.push.ages.policyMaxAgeDays).toBe(30);
  });
});
