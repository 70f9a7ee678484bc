import { X509Certificate, createHash, createPrivateKey, type KeyObject } from "node:crypto";
import { AppError } from "@/lib/errors";
import type { ClusterConnection } from "@/lib/kube";
import type { TCredentialKind, TStoreCredential } from "./schemas";

/** The secret itself, as sealed into the envelope. Lives only in memory between parsing and sealing or use. */
export type CredentialMaterial =
  | { kind: "bearer-token" | "service-account-token"; token: string }
  | { kind: "client-certificate"; certPem: string; keyPem: string };

/** The columns of a target that say how to reach its cluster. */
export interface TargetEndpoint {
  name: string;
  serverUrl: string;
  caBundle: string | null;
  insecureSkipTlsVerify: boolean;
  defaultNamespace: string;
}

/** How to reach a target's cluster as the holder of this credential (token or client certificate). */
export function targetConnection(target: TargetEndpoint, material: CredentialMaterial): ClusterConnection {
  return {
    name: target.name,
    server: target.serverUrl,
    ...(target.caBundle ? { caPem: target.caBundle } : {}),
    insecureSkipTlsVerify: target.insecureSkipTlsVerify,
    namespace: target.defaultNamespace,
    ...(material.kind === "client-certificate"
      ? { clientCertPem: material.certPem, clientKeyPem: material.keyPem }
      : { token: material.token }),
  };
}

/** What may be known about a credential without its secret: shown on pages and stored in plain columns. */
export interface CredentialMetadata {
  kind: TCredentialKind;
  fingerprint: string;
  subject: string | null;
  issuedAt: Date | null;
  expiresAt: Date | null;
}

export interface ParsedCredential {
  material: CredentialMaterial;
  metadata: CredentialMetadata;
}

function invalid(field: string, message: string): AppError {
  // Messages describe the rule that failed, never the value: a pasted secret must not come back in an error.
  return new AppError("INVALID_CREDENTIAL_MATERIAL", message, { fields: { [field]: [message] } });
}

/** First 12 hex of SHA-256: enough to tell two credentials apart on a page, useless for recovering the secret. */
export function fingerprintOf(bytes: string | Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 12);
}

export interface JwtClaims {
  exp: Date | null;
  iat: Date | null;
  sub: string | null;
  iss: string | null;
}

function numericDate(v: unknown): Date | null {
  return typeof v === "number" && Number.isFinite(v) && v > 0 && v < 1e11 ? new Date(v * 1000) : null;
}

/**
 * Reads `exp`, `iat`, `sub` and `iss` from a JWT without verifying it (Wharf is not the audience; the cluster
 * verifies). Returns null when the token is not a JWT, which is fine: opaque bearer tokens exist.
 */
export function readJwtClaims(token: string): JwtClaims | null {
  const parts = token.split(".");
  const [h, b, sig] = parts;
  if (
    parts.length !== 3 ||
    !h ||
    !b ||
    sig === undefined ||
    !/^[A-Za-z0-9_-]+$/.test(h + b) ||
    !/^[A-Za-z0-9_-]*$/.test(sig)
  )
    return null;
  try {
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as unknown;
    const payload = JSON.parse(Buffer.from(b, "base64url").toString("utf8")) as unknown;
    if (
      typeof header !== "object" ||
      header === null ||
      typeof payload !== "object" ||
      payload === null ||
      Array.isArray(payload)
    )
      return null;
    const p = payload as Record<string, unknown>;
    return {
      exp: numericDate(p.exp),
      iat: numericDate(p.iat),
      sub: typeof p.sub === "string" ? p.sub.slice(0, 300) : null,
      iss: typeof p.iss === "string" ? p.iss.slice(0, 300) : null,
    };
  } catch {
    return null;
  }
}

/** Whether a token looks like a Kubernetes service account token (legacy secret-based or TokenRequest-issued). */
export function isServiceAccountJwt(claims: JwtClaims | null): boolean {
  return !!claims && (claims.iss === "kubernetes/serviceaccount" || !!claims.sub?.startsWith("system:serviceaccount:"));
}

function parseToken(kind: "bearer-token" | "service-account-token", raw: string): ParsedCredential {
  const token = raw.trim();
  if (!token) throw invalid("token", "Paste the token.");
  // A token goes into an HTTP header; whitespace or control characters mean something else was pasted.
  if (!/^[\x21-\x7e]+$/.test(token))
    throw invalid(
      "token",
      "A token is one line of printable characters without spaces; this looks like something else (a kubeconfig or a PEM block?).",
    );
  if (/^-----BEGIN /.test(token))
    throw invalid("token", "This is a PEM block; choose the client certificate kind for certificates.");
  const claims = readJwtClaims(token);
  if (kind === "service-account-token" && !claims) {
    throw invalid(
      "token",
      "A service account token is a JWT (three base64url parts separated by dots); this is not one.",
    );
  }
  return {
    material: { kind, token },
    metadata: {
      kind,
      fingerprint: fingerprintOf(token),
      subject: claims?.sub ?? null,
      issuedAt: claims?.iat ?? null,
      expiresAt: claims?.exp ?? null,
    },
  };
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function x509Date(text: string): Date | null {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "CN=alice\nO=devs" → "CN=alice, O=devs". */
function subjectLine(subject: string): string {
  return subject.split("\n").filter(Boolean).join(", ").slice(0, 300);
}

function parseClientCertificate(certPemRaw: string, keyPemRaw: string): ParsedCredential {
  const certPem = certPemRaw.trim();
  const keyPem = keyPemRaw.trim();
  const blocks = certPem.match(CERT_BLOCK);
  if (!blocks?.[0]) throw invalid("certPem", "Paste a PEM certificate (-----BEGIN CERTIFICATE----- …).");
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(blocks[0]);
  } catch {
    throw invalid("certPem", "The certificate is not a valid X.509 certificate.");
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem))
    throw invalid("keyPem", "Paste a PEM private key (-----BEGIN … PRIVATE KEY----- …).");
  if (/ENCRYPTED/.test(keyPem))
    throw invalid(
      "keyPem",
      "The private key is encrypted with a passphrase; export it unencrypted (the vault encrypts it at rest).",
    );
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: "pem" });
  } catch {
    throw invalid("keyPem", "The private key could not be read (expected PKCS#1, PKCS#8 or SEC1 PEM).");
  }
  let matches = false;
  try {
    matches = cert.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (!matches) throw invalid("keyPem", "This private key does not belong to the certificate.");
  return {
    material: { kind: "client-certificate", certPem, keyPem },
    metadata: {
      kind: "client-certificate",
      // The certificate's own SHA-256 fingerprint (as `openssl x509 -fingerprint -sha256` shows), so people can match it.
      fingerprint: fingerprintOf(cert.raw),
      subject: subjectLine(cert.subject),
      issuedAt: x509Date(cert.validFrom),
      expiresAt: x509Date(cert.validTo),
    },
  };
}

/**
 * Checks pasted material for its kind and reads what can be shown about it (fingerprint, subject, issue and expiry
 * times). Throws INVALID_CREDENTIAL_MATERIAL with field errors; no message ever contains the material.
 */
export function parseCredentialMaterial(input: TStoreCredential): ParsedCredential {
  return input.kind === "client-certificate"
    ? parseClientCertificate(input.certPem, input.keyPem)
    : parseToken(input.kind, input.token);
}

/** The envelope's plaintext: a small JSON document, so future kinds can carry more than one string. */
export function serializeMaterial(material: CredentialMaterial): string {
  return JSON.stringify(material);
}

export function deserializeMaterial(plaintext: string): CredentialMaterial {
  let m: CredentialMaterial;
  try {
    m = JSON.parse(plaintext) as CredentialMaterial;
  } catch {
    throw new AppError("CREDENTIAL_UNREADABLE", "A stored credential decrypted to an unexpected shape.");
  }
  if (
    m.kind === "client-certificate"
      ? typeof m.certPem !== "string" || typeof m.keyPem !== "string"
      : typeof m.token !== "string"
  ) {
    throw new AppError("CREDENTIAL_UNREADABLE", "A stored credential decrypted to an unexpected shape.");
  }
  return m;
}

/** The associated data binding an envelope to its row: a ciphertext moved to another credential will not open. */
export function envelopeContext(credentialId: string, kind: TCredentialKind): string {
  return `credential:${credentialId}:${kind}`;
}
