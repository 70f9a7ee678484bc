import { describe, expect, it } from "vitest";
import { CHAIN_SCHEMES, GENESIS_HASH, hashAuditRow, verifyChain, type ChainedFields } from "@/lib/audit/chain";
import {
  nameColumnsOf,
  parseAuditNames,
  prefixRange,
  serializeAuditNames,
  suggestibleNames,
  unknownNameMessage,
} from "@/lib/audit/names";

const key = Buffer.alloc(32, 7);

function fields(patch: Partial<ChainedFields> = {}): ChainedFields {
  return {
    id: "row-1",
    at: new Date("2026-12-06T10:00:00.000Z"),
    actorKind: "system",
    actorId: null,
    actorName: "wharf",
    action: "credential.decrypted",
    subjectType: "credential",
    subjectId: "cred-1",
    targetId: "tgt-1",
    credentialId: "cred-1",
    outcome: "success",
    ip: null,
    userAgent: null,
    requestId: null,
    details: "{}",
    prevHash: GENESIS_HASH,
    names: JSON.stringify({ target: { name: "payments-prod" } }),
    targetName: "payments-prod",
    credentialLabel: null,
    applicationName: null,
    ...patch,
  };
}

async function* once<T>(row: T) {
  yield await Promise.resolve(row);
}

describe("audit names", () => {
  it("stores only the parts that name something, reads back only its own shape", () => {
    const json = serializeAuditNames({
      target: { name: "payments-prod", environment: "production" },
      credential: { label: null, kind: null, fingerprint: null },
    });
    expect(JSON.parse(json!)).toEqual({ target: { name: "payments-prod", environment: "production" } });
    expect(serializeAuditNames({})).toBeNull();
    expect(parseAuditNames(json)).toEqual({ target: { name: "payments-prod", environment: "production" } });
    expect(parseAuditNames('{"target":{"name":1}}')).toBeNull();
    expect(parseAuditNames("not json")).toBeNull();
    expect(parseAuditNames(null)).toBeNull();
    expect(nameColumnsOf({ application: { name: "checkout" } })).toEqual({
      targetName: null,
      credentialLabel: null,
      applicationName: "checkout",
    });
  });

  it("turns a prefix into an index range in lower case, and lists what a row adds to the suggestions", () => {
    expect(prefixRange("Pay")).toEqual({ gte: "pay", lt: "paz" });
    expect(prefixRange("")).toBeNull();
    expect(suggestibleNames({ target: { name: "t" }, user: { email: "a@x" } }, "b@x")).toEqual([
      ["target", "t"],
      ["user", "a@x"],
      ["user", "b@x"],
    ]);
    expect(unknownNameMessage("target", "x")).toBe("No target named 'x' has audit events");
  });

  it("covers the stored names with the keyed hash of the names scheme only", async () => {
    const row = fields();
    const hash = hashAuditRow(row, key, true);
    expect(hash).not.toBe(hashAuditRow(row, key));
    expect(hash).not.toBe(hashAuditRow({ ...row, targetName: "other" }, key, true));
    const keys = { chain: key, checkpoint: Buffer.alloc(32, 8) };
    const ok = await verifyChain(once({ ...row, seq: 1, hash, chainScheme: CHAIN_SCHEMES.keyedNames }), { keys });
    expect(ok.intact).toBe(true);
    const edited = await verifyChain(
      once({ ...row, targetName: "other", seq: 1, hash, chainScheme: CHAIN_SCHEMES.keyedNames }),
      { keys },
    );
    expect(edited.intact).toBe(false);
    // A row of the older keyed scheme ignores the name columns: rows written before names existed still verify.
    const legacy = { ...row, names: null, targetName: null };
    const legacyHash = hashAuditRow(legacy, key);
    const old = await verifyChain(once({ ...legacy, seq: 1, hash: legacyHash, chainScheme: CHAIN_SCHEMES.keyed }), {
      keys,
    });
    expect(old.intact).toBe(true);
  });
});
