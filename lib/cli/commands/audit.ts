import { verifyAuditChain } from "@/lib/audit/data/verify-audit-chain";

const USAGE =
  "usage: wharf audit verify    walk the audit hash chain, compare it with the signed checkpoints of the data directory,\n" +
  "                             report the first problem, and write a checkpoint of the verified head";

/**
 * `wharf audit <subcommand>`. `verify` prints "intact, N rows" and what it checked against (keyed rows, checkpoints)
 * and exits 0, or names the first problem (a broken link, an edited or rehashed row, rows missing below a checkpoint,
 * a forged checkpoint) and exits 1, so scripts and cron jobs can alert on it. Unknown input exits 2.
 */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "verify" || rest.length > 0) {
    console.error(
      sub === "help" || sub === "--help" || sub === undefined
        ? USAGE
        : `unknown audit command: ${args.join(" ")}\n${USAGE}`,
    );
    return sub === "help" || sub === "--help" ? 0 : 2;
  }
  const verdict = await verifyAuditChain();
  const { checked } = verdict;
  const keyed =
    checked.firstKeyedSeq === null
      ? "no keyed rows"
      : `${checked.keyedRows} keyed rows (HMAC) from seq ${checked.firstKeyedSeq}`;
  const last = checked.checkpoints.last;
  const against =
    `checked: ${checked.rows} rows, ${keyed}; ${checked.checkpoints.valid} signed checkpoints in ${checked.checkpoints.file}` +
    (last ? `, the last at seq ${last.seq} (${last.at})` : "");
  if (verdict.intact) {
    console.log(`intact, ${verdict.rows} rows`);
    console.log(against);
    if (verdict.checkpointWritten)
      console.log(`wrote checkpoint seq ${verdict.checkpointWritten.seq} (${verdict.checkpointWritten.at})`);
    return 0;
  }
  const { seq, id, at, reason } = verdict.brokenAt;
  const where = id && at ? `at seq ${seq} (id ${id}, ${at.toISOString()})` : seq !== null ? `at seq ${seq}` : "";
  const before = id ? `${Math.max(0, verdict.rows - 1)} rows before it verified` : `${verdict.rows} rows verified`;
  console.log(`BROKEN${where ? ` ${where}` : ""}: ${reason}; ${before}`);
  console.log(against);
  return 1;
}
