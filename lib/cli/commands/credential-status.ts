import { lockStatusColumns, recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { db } from "@/lib/db";

/**
 * `npm run wharf -- credential-status`: recomputes the rotation status boundaries stored on every active credential
 * (overdueAt, dueSoonAt, …) from its row, target and policy — after rows were written around the data layer (an
 * import by hand, a restore), or to repair them. The data layer keeps them current on its own.
 */
export async function run(): Promise<number> {
  const started = Date.now();
  const { examined, updated } = await db().$transaction(
    async (tx) => {
      await lockStatusColumns(tx);
      return recomputeCredentialStatusColumns(tx);
    },
    { timeout: 600_000 },
  );
  console.log(`checked ${examined} active credentials, corrected ${updated}, in ${Date.now() - started} ms`);
  return 0;
}
