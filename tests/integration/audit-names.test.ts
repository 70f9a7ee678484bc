import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as auditRoute from "@/app/api/audit/route";
import * as namesRoute from "@/app/api/audit/names/route";
import * as accessRoute from "@/app/api/credential-access/route";
import * as accessExportRoute from "@/app/api/credential-access/export/route";
import * as targetCredentialsRoute from "@/app/api/targets/[id]/credentials/route";
import * as targetRoute from "@/app/api/targets/[id]/route";
import * as targetsRoute from "@/app/api/targets/route";
import * as usersRoute from "@/app/api/users/route";
import { CHAIN_SCHEMES, GENESIS_HASH, hashAuditRow } from "@/lib/audit/chain";
import { auditKeysForWrite } from "@/lib/audit/data/audit-keys";
import type { AuditEventPage, CredentialAccessPageView } from "@/lib/audit/views";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { auditVerifyCli, dropAuditTriggers, legacyAuditFields } from "../support/audit-chain";
import { useTestDatabase } from "../support/test-db";

// Issue 16, Musts 1 and 3: audit rows keep the names they are about (so a deleted target still reads in words on
// credential access and in its CSV), the filters take names with suggestions, an unknown name says so, and the names
// are covered by the keyed hash while rows written before them still verify. On SQLite and PostgreSQL.
const t = useTestDatabase();
const db = () => dbFor(t.url);
const tag = randomBytes(3).toString("hex");
const DELETED = `names-prod-${tag}`;
const OTHER = `names-other-${tag}`;
const LEGACY_ROWS = 2;
let admin: Caller;
let approver: Caller;
let viewer: Caller;
let deletedId: string;
let deletedFingerprint: string;

async function createTargetWithCredential(name: string): Promise<{ id: string; credentialId: string; fp: string }> {
  const created = await callRoute(targetsRoute.POST, {
    method: "POST",
    path: "/api/targets",
    as: admin,
    body: { name, environment: "production", mode: "push", serverUrl: "https://127.0.0.1:6443" },
  });
  expect(created.status, created.text).toBe(201);
  const id = created.body.id as string;
  const stored = await callRoute(targetCredentialsRoute.POST, {
    method: "POST",
    path: `/api/targets/${id}/credentials`,
    params: { id },
    as: admin,
    body: { kind: "bearer-token", token: `sa-token-${randomBytes(24).toString("hex")}` },
  });
  expect(stored.status, stored.text).toBe(201);
  return { id, credentialId: stored.body.credential.id as string, fp: stored.body.credential.fingerprint as string };
}

async function decrypt(credentialId: string, deployment: string) {
  await withDecryptedCredential(
    credentialId,
    {
      actor: { kind: "system", id: null, name: "wharf executor" },
      purpose: { kind: "deployment", id: deployment },
      request: { ip: null, userAgent: null, requestId: null },
    },
    () => undefined,
  );
}

async function access(query: string, as: Caller = viewer): Promise<CredentialAccessPageView> {
  const res = await callRoute(accessRoute.GET, { path: `/api/credential-access?${query}`, as });
  expect(res.status, res.text).toBe(200);
  return res.body as CredentialAccessPageView;
}

async function trail(query: string): Promise<AuditEventPage> {
  const res = await callRoute(auditRoute.GET, { path: `/api/audit?${query}`, as: approver });
  expect(res.status, res.text).toBe(200);
  return res.body as AuditEventPage;
}

const verify = auditVerifyCli;
const dropTriggers = () => dropAuditTriggers(db(), t.kind);

afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  // Rows as the version before names were kept wrote them: keyed, names columns empty, hash over the old fields.
  await db().$transaction(async (tx) => {
    const keys = await auditKeysForWrite(tx);
    let prev = GENESIS_HASH;
    for (let i = 0; i < LEGACY_ROWS; i++) {
      const fields = legacyAuditFields(i, prev);
      prev = hashAuditRow(fields, keys.chain);
      await tx.auditEvent.create({ data: { ...fields, hash: prev, chainScheme: CHAIN_SCHEMES.keyed } });
    }
  });
  admin = await createCaller("admin");
  approver = await createCaller("approver");
  viewer = await createCaller("viewer");

  const deleted = await createTargetWithCredential(DELETED);
  deletedId = deleted.id;
  deletedFingerprint = deleted.fp;
  await decrypt(deleted.credentialId, "dep-a");
  await decrypt(deleted.credentialId, "dep-b");
  const other = await createTargetWithCredential(OTHER);
  await decrypt(other.credentialId, "dep-c");

  const res = await callRoute(targetRoute.DELETE, {
    method: "DELETE",
    path: `/api/targets/${deletedId}`,
    params: { id: deletedId },
    as: admin,
  });
  expect(res.status, res.text).toBe(204);
  // Whether deleting archives the target or erases it, its rows must read the same: erase it for certain.
  await db().$executeRaw`DELETE FROM "Target" WHERE "id" = ${deletedId}`;
  expect(await db().target.count({ where: { id: deletedId } })).toBe(0);
  expect(await db().credential.count({ where: { targetId: deletedId } })).toBe(0);
});

describe("audit rows keep their names", () => {
  it("a deleted target's credential access rows and CSV still show its name, environment and credential label", async () => {
    const page = await access(`target=${DELETED}`);
    const actions = page.items.map((r) => r.action).sort();
    expect(actions).toEqual(
      expect.arrayContaining(["credential.decrypted", "credential.decrypted", "credential.stored"]),
    );
    expect(page.items.length).toBeGreaterThanOrEqual(3);
    for (const row of page.items) {
      expect(row.target).toEqual({ id: deletedId, name: DELETED, environment: "production" });
    }
    const decrypts = page.items.filter((r) => r.action === "credential.decrypted");
    expect(decrypts).toHaveLength(2);
    for (const row of decrypts) {
      expect(row.credential).toMatchObject({
        label: `${DELETED} bearer-token`,
        kind: "bearer-token",
        fingerprint: deletedFingerprint,
      });
    }
    expect(decrypts.map((r) => r.purpose?.id).sort()).toEqual(["dep-a", "dep-b"]);

    // Unfiltered, the deleted target's rows read by name too, not by raw id.
    const all = await access("");
    const ofDeleted = all.items.filter((r) => r.target.id === deletedId);
    expect(ofDeleted.length).toBeGreaterThanOrEqual(3);
    expect(ofDeleted.every((r) => r.target.name === DELETED)).toBe(true);

    const csv = await callRoute(accessExportRoute.GET, {
      path: `/api/credential-access/export?format=csv&target=${DELETED}`,
      as: viewer,
    });
    expect(csv.status, csv.text).toBe(200);
    const [header, ...lines] = csv.text.split("\r\n").filter((l) => l !== "");
    const cols = header!.split(",");
    const at = (line: string, col: string) => line.split(",")[cols.indexOf(col)];
    expect(cols).toEqual(expect.arrayContaining(["target_name", "target_environment", "credential_label"]));
    expect(lines).toHaveLength(page.items.length);
    for (const line of lines) {
      expect(at(line, "target_name")).toBe(DELETED);
      expect(at(line, "target_environment")).toBe("production");
    }
    expect(lines.filter((l) => at(l, "credential_label") === `${DELETED} bearer-token`).length).toBeGreaterThan(2);
  });

  it("filters by target name in any case, leaving other targets out; the audit trail too", async () => {
    const upper = await access(`target=${DELETED.toUpperCase()}`);
    const exact = await access(`target=${DELETED}`);
    expect(upper.items.map((r) => r.seq)).toEqual(exact.items.map((r) => r.seq));
    expect(upper.notice ?? null).toBeNull();
    expect(exact.items.some((r) => r.target.name === OTHER)).toBe(false);

    const byLabel = await access(`credential=${encodeURIComponent(`${OTHER} bearer-token`)}`);
    expect(byLabel.items.length).toBeGreaterThanOrEqual(2);
    expect(byLabel.items.every((r) => r.target.name === OTHER)).toBe(true);

    const events = await trail(`target=${DELETED}`);
    const actions = events.items.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["target.created", "credential.stored", "credential.decrypted", "target.deleted"]),
    );
    expect(events.items.every((e) => e.names?.target?.name === DELETED)).toBe(true);
    const deletedRow = events.items.find((e) => e.action === "target.deleted")!;
    expect(deletedRow.names?.target).toEqual({ name: DELETED, environment: "production" });
  });

  it("an unknown name says so instead of answering an empty page", async () => {
    const nope = `nope-${tag}`;
    const page = await access(`target=${nope}`);
    expect(page.items).toEqual([]);
    expect(page.notice).toBe(`No target named '${nope}' has audit events`);
    expect((await access(`credential=${nope}`)).notice).toBe(`No credential named '${nope}' has audit events`);
    const events = await trail(`application=${nope}`);
    expect(events.items).toEqual([]);
    expect(events.notice).toBe(`No application named '${nope}' has audit events`);
    // A known name with nothing in the filter's range is an ordinary empty page, no notice.
    const none = await access(`target=${DELETED}&to=2000-01-01T00:00:00Z`);
    expect(none.items).toEqual([]);
    expect(none.notice ?? null).toBeNull();
    // The actor filter too: a name no actor has says so, on both views; a known actor out of range does not.
    expect((await trail(`actor=${nope}`)).notice).toBe(`No actor named '${nope}' has audit events`);
    expect((await access(`actor=${nope}`)).notice).toBe(`No actor named '${nope}' has audit events`);
    const known = (await trail(`target=${DELETED}`)).items[0]!.actorName;
    const actorOutOfRange = await trail(`actor=${encodeURIComponent(known)}&to=2000-01-01T00:00:00Z`);
    expect(actorOutOfRange.items).toEqual([]);
    expect(actorOutOfRange.notice ?? null).toBeNull();
  });

  it("suggests names by prefix in any case, deleted ones included, at most ten, users only to audit readers", async () => {
    const suggest = async (query: string, as: Caller) =>
      callRoute(namesRoute.GET, { path: `/api/audit/names?${query}`, as });
    const targets = await suggest(`kind=target&q=NAMES-`, viewer);
    expect(targets.status, targets.text).toBe(200);
    expect(targets.body.items).toEqual([OTHER, DELETED].sort());
    const creds = await suggest(`kind=credential&q=${encodeURIComponent(`${DELETED} b`)}`, viewer);
    expect(creds.body.items).toEqual([`${DELETED} bearer-token`]);
    expect((await suggest(`kind=target&q=zz-${tag}`, viewer)).body.items).toEqual([]);

    for (let i = 0; i < 12; i++) {
      await db().auditName.create({ data: { kind: "application", name: `bulk-${tag}-${i}`, key: `bulk-${tag}-${i}` } });
    }
    const bulk = await suggest(`kind=application&q=bulk-${tag}`, viewer);
    expect(bulk.body.items).toHaveLength(10);

    expect((await suggest("kind=user&q=", viewer)).status).toBe(403);
    // A user is named by the rows about them (user.created here) and by their own actions.
    const email = `suggested-${tag}@example.com`;
    const created = await callRoute(usersRoute.POST, {
      method: "POST",
      path: "/api/users",
      as: admin,
      body: { email, name: "Suggested", role: "viewer", password: "correct horse battery" },
    });
    expect(created.status, created.text).toBe(201);
    const users = await suggest(`kind=user&q=SUGGESTED-${tag}`, approver);
    expect(users.status, users.text).toBe(200);
    expect(users.body.items).toEqual([email]);
    expect((await suggest("kind=nothing", viewer)).status).toBe(422);
  });
});

describe("names and the hash chain", () => {
  it("rows written before names were kept and rows written since both verify", async () => {
    const rows = await db().auditEvent.findMany({ orderBy: { seq: "asc" } });
    expect(rows.slice(0, LEGACY_ROWS).map((r) => r.chainScheme)).toEqual([CHAIN_SCHEMES.keyed, CHAIN_SCHEMES.keyed]);
    expect(rows.slice(0, LEGACY_ROWS).every((r) => r.names === null)).toBe(true);
    const since = rows.slice(LEGACY_ROWS);
    expect(since.length).toBeGreaterThan(8);
    expect(since.every((r) => r.chainScheme === CHAIN_SCHEMES.keyedNames)).toBe(true);
    const out = await verify();
    expect(out.out).toContain(`intact, ${rows.length} rows`);
    expect(out.code).toBe(0);
  });

  it("notices a stored name edited, the names JSON edited, or a names row relabelled as an older scheme", async () => {
    const victim = await db().auditEvent.findFirstOrThrow({
      where: { action: "credential.decrypted", targetName: DELETED },
      orderBy: { seq: "asc" },
    });
    await dropTriggers();
    const edits = [
      () => db().$executeRaw`UPDATE "AuditEvent" SET "targetName" = ${OTHER} WHERE "seq" = ${victim.seq}`,
      () => db().$executeRaw`UPDATE "AuditEvent" SET "credentialLabel" = 'someone else' WHERE "seq" = ${victim.seq}`,
      () =>
        db()
          .$executeRaw`UPDATE "AuditEvent" SET "names" = ${victim.names!.replace(DELETED, OTHER)} WHERE "seq" = ${victim.seq}`,
      () =>
        db().$executeRaw`UPDATE "AuditEvent" SET "chainScheme" = ${CHAIN_SCHEMES.keyed} WHERE "seq" = ${victim.seq}`,
    ];
    for (const edit of edits) {
      expect(await edit()).toBe(1);
      const out = await verify();
      expect(out.code).toBe(1);
      expect(out.out).toContain(`BROKEN at seq ${victim.seq}`);
      expect(out.out).toMatch(/does not match its keyed hash/);
      await db()
        .$executeRaw`UPDATE "AuditEvent" SET "targetName" = ${victim.targetName}, "credentialLabel" = ${victim.credentialLabel}, "names" = ${victim.names}, "chainScheme" = ${victim.chainScheme} WHERE "seq" = ${victim.seq}`;
    }
    expect((await verify()).code).toBe(0);
  });
});
