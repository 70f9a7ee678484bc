import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ensureMasterKey, keyIdFor, loadKeyring } from "@/lib/credentials/keyring";
import { resetEnvCache } from "@/lib/env";

describe("keyring", () => {
  let dir: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-keyring-"));
    process.env.WHARF_DATA_DIR = dir;
    delete process.env.WHARF_MASTER_KEY;
    delete process.env.WHARF_PREVIOUS_MASTER_KEYS;
    resetEnvCache();
  });
  afterEach(() => {
    process.env = { ...saved };
    resetEnvCache();
    fs.rmSync(dir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it("generates data/master.key with mode 0600 once, warns on stderr, and reuses it", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const first = ensureMasterKey();
    const file = path.join(dir, "master.key");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toEqual({
      keyId: keyIdFor(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64")),
      source: "file",
    });
    expect(warn.mock.calls.flat().join(" ")).toMatch(/WHARF_MASTER_KEY is not set/);
    const content = fs.readFileSync(file, "utf8");
    process.env.WHARF_DATA_DIR = dir + "/";
    resetEnvCache();
    expect(loadKeyring().current.id).toBe(first.keyId);
    expect(fs.readFileSync(file, "utf8")).toBe(content);
  });

  it("uses WHARF_MASTER_KEY and previous keys, and writes no file", () => {
    const cur = randomBytes(32);
    const old = [randomBytes(32), randomBytes(32)];
    process.env.WHARF_MASTER_KEY = cur.toString("base64");
    process.env.WHARF_PREVIOUS_MASTER_KEYS = old.map((k) => k.toString("base64")).join(" , ");
    resetEnvCache();
    const ring = loadKeyring();
    expect(ring.current.id).toBe(keyIdFor(cur));
    expect([...ring.byId.keys()].sort()).toEqual([cur, ...old].map(keyIdFor).sort());
    expect(fs.existsSync(path.join(dir, "master.key"))).toBe(false);
  });

  it("fails clearly on a malformed key", () => {
    process.env.WHARF_MASTER_KEY = randomBytes(31).toString("base64");
    resetEnvCache();
    expect(() => loadKeyring()).toThrowError(/WHARF_MASTER_KEY must be the base64 encoding of exactly 32 bytes/);
    process.env.WHARF_MASTER_KEY = randomBytes(32).toString("base64");
    process.env.WHARF_PREVIOUS_MASTER_KEYS = "short";
    resetEnvCache();
    expect(() => loadKeyring()).toThrowError(/WHARF_PREVIOUS_MASTER_KEYS \(entry 1\)/);
  });
});
