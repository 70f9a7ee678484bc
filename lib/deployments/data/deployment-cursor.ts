import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/keyset-cursor";
import type { TDeploymentTimeField } from "../schemas";

/**
 * Opaque keyset cursor for the deployments list, ordered newest first by (instant desc, id desc) where the instant is
 * the list's `timeField` (requested = createdAt by default). The position is the last row of the previous page, so
 * rows arriving meanwhile neither repeat nor shift later pages. A cursor names its time field: it is only valid for
 * a list ordered by the same instant.
 */
export interface DeploymentCursor {
  at: Date;
  id: string;
  timeField: TDeploymentTimeField;
}

/** Encodes a position; a row (`{ createdAt, id }`) is a position in the default order. */
export function encodeDeploymentCursor(c: DeploymentCursor | { createdAt: Date; id: string }): string {
  return encodeKeysetCursor(
    "at" in c
      ? [c.at.toISOString(), c.id, ...(c.timeField === "requested" ? [] : [c.timeField])]
      : [c.createdAt.toISOString(), c.id],
  );
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeDeploymentCursor(cursor: string): DeploymentCursor | null {
  const key = decodeKeysetCursor(cursor, 3) ?? decodeKeysetCursor(cursor, 2);
  if (!key) return null;
  const timeField = key[2] ?? "requested";
  if (timeField !== "requested" && timeField !== "finished" && timeField !== "approved") return null;
  const at = new Date(key[0]!);
  return Number.isNaN(at.getTime()) ? null : { at, id: key[1]!, timeField };
}
