import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { run as rekey } from "@/lib/cli/commands/rekey";
import { keyIdOf } from "@/lib/credentials/crypto";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { keyIdFor } from "@/lib/credentials/keyring";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { dbFor } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { useTestDatabase } from "../support/test-db";
import { createRepoBinding } from "@/lib/deployments/data/create-repo-binding";
import { open } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";
import { makeCertificate } from "../unit/credentials/fixtures";

const t = useTestDatabase();
const db = () => dbFor(t.url);
const cert = makeCertificate({ cn: "rekey" });
const tokens = ["rekey-token-one", "rekey-token-two", "rekey-token-three"];
let targetIds: string[] = [];

function useKeys(current: Buffer, previous: Buffer[] = []) {
  process.env.WHARF_MASTER_KEY = current.toString("base64");
  if (previous.length) process.env.WHARF_PREVIOUS_MASTER_KEYS = previous.map((k) => k.toString("base64")).join(",");
  else delete process.env.WHARF_PREVIOUS_MASTER_KEYS;
  resetEnvCache();
}

async function decryptAll() {
  const active = await db().credential.findMany({ where: { state: "active" }, orderBy: { targetId: "asc" } });
  return Promise.all(
    active.map((c) =>
      withDecryptedCredential(
        c.id,
        { actor: SYSTEM_ACTOR, purpose: { kind: "rekey", id: "check" }, request: NO_REQUEST },
        (m) => m,
      ),
    ),
  );
}

async function runQuiet(args: string[] = []) {
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    const code = await rekey(args);
    return { code, out: log.mock.calls.flat().join("\n"), err: err.mock.calls.flat().join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

beforeAll(async () => {
  useKeys(oldKey);
  targetIds = [];
  for (const [i, token] of tokens.entries()) {
    const target = await db().target.create({
      data: { name: `rekey-${i}`, environment: "dev", mode: "push", serverUrl: "https://127.0.0.1:6443" },
    });
    targetIds.push(target.id);
    await saveCredential({
      targetId: target.id,
      input: { kind: "bearer-token", token },
      actor: SYSTEM_ACTOR,
      actorRole: "admin",
      actorUserId: null,
      request: NO_REQUEST,
    });
  }
  // History rows are re-sealed too: replace the first target's token with a certificate.
  await saveCredential({
    targetId: targetIds[0] ?? "",
    input: { kind: "client-certificate", ...cert },
    actor: SYSTEM_ACTOR,
    actorRole: "admin",
    actorUserId: null,
    request: NO_REQUEST,
  });
  // A webhook secret is sealed with the same master key and must move with it.
  const binding = await createRepoBinding({
    targetId: targetIds[1] ?? "",
    input: { repoUrl: "https://git.example.com/team/app.git", branch: "main", path: "deploy" },
    createdById: "test",
    actor: SYSTEM_ACTOR,
    request: NO_REQUEST,
  });
  bindingSecret = binding.secret;
});

let bindingSecret = "";

describe("npm run wharf -- rekey", () => {
  it("without the old key, credentials cannot be read and rekey reports failures (exit 1)", async () => {
    useKeys(newKey);
    await expect(decryptAll()).rejects.toMatchObject({ code: "MASTER_KEY_UNAVAILABLE" });
    const res = await runQuiet();
    expect(res.code).toBe(1);
    expect(res.out).toContain("Failed: 4");
    expect(res.err).toContain(keyIdFor(oldKey));
    expect(await db().credential.count({ where: { keyId: keyIdFor(oldKey) } })).toBe(4);
  });

  it("with the old key as previous, moves every credential to the new key, audited, and they still decrypt", async () => {
    useKeys(newKey, [oldKey]);
    const before = await decryptAll();
    const res = await runQuiet();
    expect(res.code).toBe(0);
    expect(res.out).toContain("Rekeyed: 4");
    expect(res.out).toContain("Failed: 0");
    const rows = await db().credential.findMany();
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(r.keyId).toBe(keyIdFor(newKey));
      expect(keyIdOf(r.ciphertext)).toBe(keyIdFor(newKey));
    }
    expect(await db().auditEvent.count({ where: { action: "credential.rekeyed" } })).toBe(4);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "credential.rekeyed" } });
    expect(JSON.parse(audit.details)).toMatchObject({ fromKeyId: keyIdFor(oldKey), toKeyId: keyIdFor(newKey) });

    // The webhook secret moved too, and opens with the new key alone.
    expect(res.out).toContain("Webhook secrets rekeyed: 1, failed: 0");
    const binding = await db().repoBinding.findFirstOrThrow();
    expect(keyIdOf(binding.secretCiphertext)).toBe(keyIdFor(newKey));

    // The old key is no longer needed.
    useKeys(newKey);
    expect(open(binding.secretCiphertext, loadKeyring(), `repo-binding:${binding.id}`)).toBe(bindingSecret);
    expect(await decryptAll()).toEqual(before);
    expect(before.map((m) => m.kind).sort()).toEqual(["bearer-token", "bearer-token", "client-certificate"]);
  });

  it("a second run has nothing to do", async () => {
    const res = await runQuiet();
    expect(res.code).toBe(0);
    expect(res.out).toContain("Rekeyed: 0");
    expect(res.out).toContain("Already under the current key: 4");
  });

  it("refuses unknown arguments", async () => {
    expect((await runQuiet(["--force"])).code).toBe(2);
  });
});
