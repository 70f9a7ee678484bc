import "server-only";
import { db, type Db, type Tx } from "@/lib/db";
import { env } from "@/lib/env";
import { wake, type TWakeTopic } from "../notifier";
import { WAKE_CHANNELS } from "../listener";

/**
 * Tells every dashboard process's wake-up listener (lib/wake/listener.ts) that these ids of `topic` changed. Pass the
 * transaction of the change: PostgreSQL delivers the notifications when it commits and drops them when it rolls back,
 * so a woken long poll always reads the change (with `db()` they go out at once). On SQLite there is one process and
 * nothing to send. Either way the caller still wakes this process's waiters after commit (`wake`), which needs no
 * round trip through the database.
 */
export async function notifyWake(client: Tx | Db, topic: TWakeTopic, ids: Iterable<string>): Promise<void> {
  if (env().databaseKind !== "postgresql") return;
  // One notification per id: identical ones in one transaction are folded by PostgreSQL, and a payload stays far
  // below its 8000-byte limit however many ids change together.
  for (const id of new Set(ids)) {
    await client.$executeRaw`SELECT pg_notify(${WAKE_CHANNELS[topic]}, ${id})`;
  }
}

/**
 * After a committed change: wakes these ids' long polls in this process at once and, on PostgreSQL, in every other
 * dashboard process through NOTIFY. A failed NOTIFY is only logged: the change is committed and the other processes'
 * long polls re-read the database every second anyway.
 */
export async function wakeEverywhere(topic: TWakeTopic, ids: Iterable<string>): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  wake(topic, unique);
  try {
    await notifyWake(db(), topic, unique);
  } catch (err) {
    console.warn(
      `[wharf] could not NOTIFY other dashboard processes of a change (${topic}):`,
      err instanceof Error ? err.message : err,
    );
  }
}
