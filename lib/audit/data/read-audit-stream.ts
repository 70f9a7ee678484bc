import "server-only";
import { db } from "@/lib/db";
import type { AuditRowFields } from "../views";

/**
 * The next `limit` audit rows after `after`, in chain (seq) order: one walk of the primary key. Writers take the chain
 * lock before their row gets its seq, so rows commit in seq order and a reader that resumes after the last seq it saw
 * never misses one committed later with a smaller seq.
 */
export async function readAuditStream(opts: { after: number; limit: number }): Promise<AuditRowFields[]> {
  return db().auditEvent.findMany({ where: { seq: { gt: opts.after } }, orderBy: { seq: "asc" }, take: opts.limit });
}
