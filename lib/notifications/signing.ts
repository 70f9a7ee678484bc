import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { open, seal } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";

/** A new signing secret: 32 random bytes, shown once to the person who creates the sink. */
export function newSinkSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** The envelope context binding a sealed secret to its sink: a ciphertext copied onto another sink will not open. */
export function sinkEnvelopeContext(sinkId: string): string {
  return `notification-sink:${sinkId}`;
}

/** Seals a sink's secret under the current master key. */
export function sealSinkSecret(sinkId: string, secret: string): string {
  return seal(secret, loadKeyring(), sinkEnvelopeContext(sinkId));
}

export function openSinkSecret(sinkId: string, ciphertext: string): string {
  return open(ciphertext, loadKeyring(), sinkEnvelopeContext(sinkId));
}

/** `sha256=<hex>` of HMAC-SHA256(secret, raw body): the X-Wharf-Signature-256 header value. */
export function signatureFor(secret: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody, "utf8").digest("hex")}`;
}

/** Constant-time check of a signature header, for receivers written in TypeScript (and for tests). */
export function verifySignature(secret: string, rawBody: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signatureFor(secret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
