import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "@/lib/errors";
import type { Keyring } from "./keyring";

/**
 * Envelope format, version 1: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts). AES-256-GCM with a random
 * 96-bit IV per seal. The associated data covers the version, the key id and the caller's `context` (Wharf passes
 * the credential's id and kind), so a ciphertext copied onto another row, or relabelled with another key id, fails
 * to open instead of silently yielding someone else's credential.
 */
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`wharf.${VERSION}.${keyId}.${context}`, "utf8");
}

/** Encrypts `plaintext` under the keyring's current key. */
export function seal(plaintext: string, keyring: Keyring, context = ""): string {
  const { id, key } = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(id, context));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, id, iv.toString("base64url"), ct.toString("base64url"), tag.toString("base64url")].join(".");
}

interface ParsedEnvelope {
  keyId: string;
  iv: Buffer;
  ct: Buffer;
  tag: Buffer;
}

function parse(envelope: string): ParsedEnvelope {
  const parts = envelope.split(".");
  const [version, keyId, iv, ct, tag] = parts;
  const b64 = /^[A-Za-z0-9_-]*$/;
  if (
    parts.length !== 5 ||
    version !== VERSION ||
    !keyId ||
    !/^[0-9a-f]{16}$/.test(keyId) ||
    iv === undefined ||
    ct === undefined ||
    tag === undefined ||
    ![iv, ct, tag].every((p) => b64.test(p))
  ) {
    throw new AppError(
      "CREDENTIAL_UNREADABLE",
      "A stored credential is not a readable Wharf envelope (unknown format or damaged).",
    );
  }
  const parsed = {
    keyId,
    iv: Buffer.from(iv, "base64url"),
    ct: Buffer.from(ct, "base64url"),
    tag: Buffer.from(tag, "base64url"),
  };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) {
    throw new AppError("CREDENTIAL_UNREADABLE", "A stored credential is damaged (bad IV or tag length).");
  }
  return parsed;
}

/** The id of the master key an envelope was sealed with. */
export function keyIdOf(envelope: string): string {
  return parse(envelope).keyId;
}

/**
 * Decrypts an envelope. Fails when its key is not in the keyring (MASTER_KEY_UNAVAILABLE naming the key id) and
 * when any byte of the envelope or the context differs from what was sealed (CREDENTIAL_UNREADABLE, from GCM
 * authentication).
 */
export function open(envelope: string, keyring: Keyring, context = ""): string {
  const { keyId, iv, ct, tag } = parse(envelope);
  const key = keyring.byId.get(keyId);
  if (!key) {
    throw new AppError(
      "MASTER_KEY_UNAVAILABLE",
      `This credential was sealed with master key ${keyId}, which is neither WHARF_MASTER_KEY nor in WHARF_PREVIOUS_MASTER_KEYS.`,
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyId, context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString("utf8");
  } catch {
    throw new AppError(
      "CREDENTIAL_UNREADABLE",
      `A stored credential failed its integrity check under key ${keyId} (it was altered or belongs to another record).`,
    );
  }
}
