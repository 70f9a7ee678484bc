import { verifyAuditChain } from "@/lib/audit/data/verify-audit-chain";

const USAGE = "usage: wharf audit verify    walk the audit hash chain and report the first broken link";

/**
 * `wharf audit <subcommand>`. `verify` prints "intact, N rows" and exits 0, or names the first broken link
 * (seq, id, time, reason) and exits 1, so scripts and cron jobs can alert on it. Unknown input exits 2.
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
  if (verdict.intact) {
    console.log(`intact, ${verdict.rows} rows`);
    return 0;
  }
  const { seq, id, at, reason } = verdict.brokenAt;
  console.log(
    `BROKEN at seq ${seq} (id ${id}, ${at.toISOString()}): ${reason}; ${verdict.rows - 1} rows before it verified`,
  );
  return 1;
}
