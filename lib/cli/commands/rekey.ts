import { rekeyAuditChainKey } from "@/lib/audit/data/audit-keys";
import { rekeyCredentials } from "@/lib/credentials/data/rekey-credentials";
import { ensureMasterKey } from "@/lib/credentials/keyring";
import { rekeyRepoBindingSecrets } from "@/lib/deployments/data/rekey-repo-binding-secrets";
import { rekeyNotificationSinkSecrets } from "@/lib/notifications/data/rekey-sink-secrets";

const USAGE = `Usage: npm run wharf -- rekey

Re-encrypts every stored credential, webhook secret, notification sink secret and the audit chain key under the current master key (WHARF_MASTER_KEY, or data/master.key when it
is unset). Credentials sealed with an older key are read with the keys in WHARF_PREVIOUS_MASTER_KEYS
(comma-separated base64). Safe to run while Wharf serves requests: each credential moves in its own transaction.

To change the master key:
  1. Set WHARF_MASTER_KEY to the new key and WHARF_PREVIOUS_MASTER_KEYS to the old one; restart Wharf.
  2. Run this command.
  3. When it reports 0 failed, remove the old key from WHARF_PREVIOUS_MASTER_KEYS.`;

/** `wharf rekey`: moves every credential to the current master key and prints the counts. Exit 1 if any failed. */
export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  if (args.length) {
    console.error(`rekey takes no arguments (got: ${args.join(" ")}).\n\n${USAGE}`);
    return 2;
  }
  let keyId: string;
  try {
    keyId = ensureMasterKey().keyId;
  } catch (err) {
    console.error(`rekey: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  console.log(`Re-encrypting credentials under master key ${keyId}…`);
  const report = await rekeyCredentials();
  console.log(`Rekeyed: ${report.rekeyed}`);
  console.log(`Already under the current key: ${report.alreadyCurrent}`);
  console.log(`Failed: ${report.failed.length}`);
  for (const f of report.failed) {
    const hint = f.code === "MASTER_KEY_UNAVAILABLE" ? ` — add key ${f.keyId} to WHARF_PREVIOUS_MASTER_KEYS` : "";
    console.error(`  credential ${f.credentialId} (key ${f.keyId}): ${f.code}${hint}`);
  }
  const bindings = await rekeyRepoBindingSecrets();
  console.log(`Webhook secrets rekeyed: ${bindings.rekeyed}, failed: ${bindings.failed.length}`);
  for (const f of bindings.failed)
    console.error(`  repo binding ${f.bindingId} (key ${f.keyId}) — add that key to WHARF_PREVIOUS_MASTER_KEYS`);
  const sinks = await rekeyNotificationSinkSecrets();
  console.log(`Notification sink secrets rekeyed: ${sinks.rekeyed}, failed: ${sinks.failed.length}`);
  for (const f of sinks.failed)
    console.error(`  notification sink ${f.sinkId} (key ${f.keyId}) — add that key to WHARF_PREVIOUS_MASTER_KEYS`);
  // The audit chain's root secret moves too (resealed, not changed), so the keyed chain and its checkpoints verify.
  const audit = await rekeyAuditChainKey();
  if (audit.missingKeyId)
    console.error(`  audit chain key (key ${audit.missingKeyId}) — add that key to WHARF_PREVIOUS_MASTER_KEYS`);
  else console.log(`Audit chain key: ${audit.rekeyed ? "rekeyed" : "already under the current key (or none yet)"}`);
  return audit.missingKeyId || report.failed.length || bindings.failed.length || sinks.failed.length ? 1 : 0;
}
