import { randomUUID } from "node:crypto";
import { vi } from "vitest";
import type { ChainedFields } from "@/lib/audit/chain";
import { run as auditCli } from "@/lib/cli/commands/audit";
import type { Db } from "@/lib/db/client";

// What the audit chain tests share: running `audit verify` as an operator would, doing what a database administrator
// could (dropping the append-only triggers), and rows as an earlier version of Wharf wrote them.

/** `wharf audit verify`, its exit code and everything it printed. */
export async function auditVerifyCli(): Promise<{ code: number; out: string }> {
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    const code = await auditCli(["verify"]);
    return { code, out: [...log.mock.calls, ...err.mock.calls].map((c) => c.join(" ")).join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

/** Drops the triggers that make AuditEvent append-only, as someone with database access could. */
export async function dropAuditTriggers(db: Db, kind: "sqlite" | "postgresql"): Promise<void> {
  if (kind === "sqlite") {
    await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AuditEvent_no_update"`);
    await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AuditEvent_no_delete"`);
  } else {
    await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AuditEvent_no_update_delete" ON "AuditEvent"`);
  }
}

/** The fields of the `i`th row of an earlier version's trail (a system user.created row), linked to `prevHash`. */
export function legacyAuditFields(i: number, prevHash: string): ChainedFields {
  return {
    id: randomUUID(),
    at: new Date(Date.now() - 60_000 + i),
    actorKind: "system",
    actorId: null,
    actorName: "wharf",
    action: "user.created",
    subjectType: "user",
    subjectId: `legacy-${i}`,
    targetId: null,
    credentialId: null,
    outcome: "success",
    ip: null,
    userAgent: null,
    requestId: null,
    details: "{}",
    prevHash,
  };
}
