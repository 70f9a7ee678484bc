import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

/** One AES-256 master key and its id (the first 16 hex of its SHA-256), which every ciphertext records. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/**
 * The keys this process can use: `current` seals everything new; `previous` keys only open ciphertexts sealed
 * before a key change, until `npm run wharf -- rekey` has moved them to `current`.
 */
export interface Keyring {
  current: MasterKey;
  byId: ReadonlyMap<string, MasterKey>;
}

const KEY_FILE = "master.key";

/** The id a key is known by in envelopes: short enough to read in logs, long enough never to collide by chance. */
export function keyIdFor(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/** Decodes one base64 key, refusing anything that is not exactly 32 bytes. `source` names the variable for the message. */
export function decodeMasterKey(value: string, source: string): MasterKey {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new AppError(
      "MASTER_KEY_UNAVAILABLE",
      `${source} is not base64. Generate a key with: openssl rand -base64 32`,
    );
  }
  const key = Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new AppError(
      "MASTER_KEY_UNAVAILABLE",
      `${source} must be the base64 encoding of exactly 32 bytes (it decodes to ${key.length}). Generate one with: openssl rand -base64 32`,
    );
  }
  return { id: keyIdFor(key), key };
}

let warnedAboutKeyFile = false;

/**
 * Reads `<dataDir>/master.key`, creating it (mode 0600) when missing. Creation uses an exclusive open, so two
 * processes starting at once end up with the same key instead of overwriting each other's.
 */
function keyFromFile(dataDir: string): MasterKey {
  const file = path.join(dataDir, KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  let created = false;
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const key = decodeMasterKey(fs.readFileSync(file, "utf8"), file);
  if (!warnedAboutKeyFile) {
    warnedAboutKeyFile = true;
    const mode = fs.statSync(file).mode & 0o777;
    const loose =
      mode & 0o077 ? ` Its permissions (${mode.toString(8)}) let other users read it: chmod 600 ${file}.` : "";
    console.warn(
      `[wharf] WHARF_MASTER_KEY is not set; ${created ? "generated" : "using"} the key file ${file} (key id ${key.id}).` +
        ` Anyone who can read it can decrypt stored cluster credentials: keep it out of backups of the database,` +
        ` or set WHARF_MASTER_KEY from a secret store.${loose}`,
    );
  }
  return key;
}

let cache: { signature: string; keyring: Keyring } | undefined;

/**
 * The keyring from configuration: WHARF_MASTER_KEY (or the generated key file when unset) plus every key in
 * WHARF_PREVIOUS_MASTER_KEYS. Cached per configuration, so tests that change the environment get a fresh one.
 */
export function loadKeyring(): Keyring {
  const e = env();
  const signature = JSON.stringify([e.WHARF_MASTER_KEY ?? null, e.WHARF_PREVIOUS_MASTER_KEYS ?? null, e.dataDir]);
  if (cache?.signature === signature) return cache.keyring;
  const current = e.WHARF_MASTER_KEY ? decodeMasterKey(e.WHARF_MASTER_KEY, "WHARF_MASTER_KEY") : keyFromFile(e.dataDir);
  const byId = new Map<string, MasterKey>([[current.id, current]]);
  const previous = (e.WHARF_PREVIOUS_MASTER_KEYS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  previous.forEach((value, i) => {
    const key = decodeMasterKey(value, `WHARF_PREVIOUS_MASTER_KEYS (entry ${i + 1})`);
    if (!byId.has(key.id)) byId.set(key.id, key);
  });
  const keyring: Keyring = { current, byId };
  cache = { signature, keyring };
  return keyring;
}

/**
 * Called early by `npm start`: fails fast on a malformed key and creates the key file before the first request
 * needs it. Returns the current key's id for the start banner.
 */
export function ensureMasterKey(): { keyId: string; source: "env" | "file" } {
  const keyring = loadKeyring();
  return { keyId: keyring.current.id, source: env().WHARF_MASTER_KEY ? "env" : "file" };
}

/** Builds a keyring from raw keys, for tests and the rekey command's reporting. */
export function keyringOf(current: Buffer, previous: Buffer[] = []): Keyring {
  const cur = { id: keyIdFor(current), key: current };
  const byId = new Map<string, MasterKey>([[cur.id, cur]]);
  for (const k of previous) byId.set(keyIdFor(k), { id: keyIdFor(k), key: k });
  return { current: cur, byId };
}
