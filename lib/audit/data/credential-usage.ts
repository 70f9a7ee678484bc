import "server-only";
import { db } from "@/lib/db";
import { parseAuditDetails, type CredentialUsageActor, type CredentialUsageView } from "../views";
import type { TActorKind } from "../schemas";

const DAY_MS = 86_400_000;
const PAGE = 1000;
const RECENT_PER_ACTOR = 5;

/**
 * "Who used this credential in the last `days` days": the successful `credential.decrypted` rows of exactly this
 * credential id (not its predecessors — each replaced credential has its own id and its own answer), grouped by
 * actor with counts, last use and purposes, most recent user first. Refused and failed decrypts are counted apart.
 * Rows are read in keyset pages, so memory grows with the number of distinct actors, not of uses.
 */
export async function credentialUsage(opts: {
  credentialId: string;
  days?: number;
  now?: Date;
}): Promise<CredentialUsageView> {
  const days = opts.days ?? 30;
  const since = new Date((opts.now ?? new Date()).getTime() - days * DAY_MS);
  const byActor = new Map<string, CredentialUsageActor & { purposeCounts: Map<string, number> }>();
  let total = 0;
  let refused = 0;
  let before: number | undefined;
  for (;;) {
    const rows = await db().auditEvent.findMany({
      where: {
        credentialId: opts.credentialId,
        action: "credential.decrypted",
        at: { gte: since },
        ...(before ? { seq: { lt: before } } : {}),
      },
      orderBy: { seq: "desc" },
      take: PAGE,
      select: { seq: true, at: true, actorKind: true, actorId: true, actorName: true, outcome: true, details: true },
    });
    for (const r of rows) {
      if (r.outcome !== "success") {
        refused++;
        continue;
      }
      const details = parseAuditDetails(r.details);
      // A use summary (live-status reads, counted per credential and 5 minutes) stands for `details.count` uses.
      const uses = typeof details.count === "number" && details.count > 0 ? details.count : 1;
      total += uses;
      const key = `${r.actorKind}\u0000${r.actorId ?? ""}\u0000${r.actorId ? "" : r.actorName}`;
      let entry = byActor.get(key);
      if (!entry) {
        // Newest first, so the first row seen per actor is its last use and carries its current name.
        entry = {
          actor: { kind: r.actorKind as TActorKind, id: r.actorId, name: r.actorName },
          count: 0,
          lastAt: r.at.toISOString(),
          purposes: [],
          recent: [],
          purposeCounts: new Map(),
        };
        byActor.set(key, entry);
      }
      entry.count += uses;
      const kind = typeof details.purpose === "string" ? details.purpose : "unknown";
      entry.purposeCounts.set(kind, (entry.purposeCounts.get(kind) ?? 0) + uses);
      if (entry.recent.length < RECENT_PER_ACTOR)
        entry.recent.push({ kind, id: typeof details.purposeId === "string" ? details.purposeId : null });
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < PAGE) break;
    before = last.seq;
  }
  const actors = [...byActor.values()].map(({ purposeCounts, ...a }) => ({
    ...a,
    purposes: [...purposeCounts.entries()]
      .map(([kind, count]) => ({ kind, count }))
      .sort((x, y) => y.count - x.count || x.kind.localeCompare(y.kind)),
  }));
  return { credentialId: opts.credentialId, since: since.toISOString(), days, total, refused, actors };
}
