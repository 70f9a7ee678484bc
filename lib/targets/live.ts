import { AppError } from "@/lib/errors";

/**
 * Deleting a target or an application archives it (lib/applications/data/archive-target.ts,
 * lib/applications/data/delete-application.ts): the row stays so its deployments, approvals and audit links keep
 * reading, but nothing may list it as current or deploy, sync or rotate anything for it. Every query that selects
 * targets or applications for work or for a list spreads these where-clauses; archiving a target archives its
 * applications too, so `LIVE_APPLICATION` alone is enough for applications.
 */
export const LIVE_TARGET = { archivedAt: null } as const;
export const LIVE_APPLICATION = { archivedAt: null } as const;

/** The value of `archivedKey` on live rows: with @@unique([name, archivedKey]) names are unique among them only. */
export const LIVE_KEY = "";

/** Who archived a row and when, as views show it ("deleted <date> by <user>"); null on live rows. */
export function archivedMark(row: {
  archivedAt: Date | null;
  archivedByName: string | null;
}): { at: string; byName: string | null } | null {
  return row.archivedAt ? { at: row.archivedAt.toISOString(), byName: row.archivedByName } : null;
}

/** 409 TARGET_ARCHIVED: the request names a deleted target; its history is readable, nothing runs on it any more. */
export function targetArchivedError(target: { name: string }): AppError {
  return new AppError(
    "TARGET_ARCHIVED",
    `${target.name} was deleted: its history stays readable, but nothing can be deployed, synced or changed on it.`,
  );
}

/** 409 APPLICATION_ARCHIVED: as above, for a deleted application. */
export function applicationArchivedError(app: { name: string }): AppError {
  return new AppError(
    "APPLICATION_ARCHIVED",
    `The application ${app.name} was deleted: its history stays readable, but it can no longer be deployed.`,
  );
}

/** Refuses work on an archived target (409 TARGET_ARCHIVED). */
export function assertTargetLive(target: { name: string; archivedAt: Date | null }): void {
  if (target.archivedAt) throw targetArchivedError(target);
}
