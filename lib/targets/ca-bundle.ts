import { X509Certificate } from "node:crypto";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Checks that a CA bundle is nothing but one or more PEM certificates that parse as X.509, and returns the first
 * problem as a sentence for the form, or null. Runs on the server only (node:crypto); the shared schema only checks
 * the shape so it stays importable in the browser.
 */
export function caBundleProblem(pem: string): string | null {
  const text = pem.trim();
  let count = 0;
  let rest = text;
  for (const match of text.matchAll(PEM_BLOCK)) {
    count++;
    const block = match[0];
    const label = match[1] ?? "";
    if (label !== "CERTIFICATE")
      return `Block ${count} is a ${label.toLowerCase()}, not a certificate. Paste only CA certificates.`;
    try {
      new X509Certificate(block);
    } catch {
      return `Certificate ${count} is not a valid X.509 certificate.`;
    }
    rest = rest.replace(block, "");
  }
  if (count === 0)
    return "Paste one or more PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----).";
  if (rest.trim() !== "") return "The CA bundle contains text outside its -----BEGIN/END CERTIFICATE----- blocks.";
  return null;
}
