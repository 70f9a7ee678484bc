// @peculiar/x509 depends on tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

const subtle = webcrypto.subtle;
const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;

export interface ServingCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der)
    .toString("base64")
    .replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  return toPem(await subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/**
 * Loads the CA from dataDir (so kubeconfigs written earlier stay valid) or creates one, then issues a fresh serving
 * certificate for 127.0.0.1 and localhost. ECDSA P-256 keeps start-up in milliseconds.
 */
export async function ensureCertificates(dataDir: string): Promise<ServingCertificates> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const caCrtPath = path.join(dataDir, "ca.crt");
  const caKeyPath = path.join(dataDir, "ca.key");
  let caCert: x509.X509Certificate;
  let caKey: CryptoKey;
  if (existsSync(caCrtPath) && existsSync(caKeyPath)) {
    caCert = new x509.X509Certificate(await readFile(caCrtPath, "utf8"));
    caKey = await subtle.importKey("pkcs8", fromPem(await readFile(caKeyPath, "utf8")), EC, true, ["sign"]);
  } else {
    const keys = await generateKeys();
    const now = Date.now();
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: "CN=wharf-sandbox-ca",
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 10 * 365 * 24 * 3600_000),
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    caKey = keys.privateKey;
    await writeFile(caCrtPath, caCert.toString("pem") + "\n", { mode: 0o644 });
    await writeFile(caKeyPath, await exportPrivateKey(caKey), { mode: 0o600 });
  }

  const serverKeys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: "CN=kube-apiserver",
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 24 * 3600_000),
    signingAlgorithm: SIGNING,
    publicKey: serverKeys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "ip", value: "127.0.0.1" },
        { type: "dns", value: "localhost" },
        { type: "dns", value: "kubernetes.default.svc" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return {
    caPem: caCert.toString("pem") + "\n",
    certPem: cert.toString("pem") + "\n",
    keyPem: await exportPrivateKey(serverKeys.privateKey),
  };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive, as Go's x509 parser insists
  if (bytes[0] === 0) bytes[0] = 1;
  return Buffer.from(bytes).toString("hex");
}
