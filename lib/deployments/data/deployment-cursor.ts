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
  const value = "at" in c ? [c.at.toISOString(), c.id, ...(c.timeField === "requested" ? [] : [c.timeField])] : [c.createdAt.toISOString(), c.id];
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeDeploymentCursor(cursor: string): DeploymentCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3) || typeof value[0] !== "string" || typeof value[1] !== "string") return null;
    const timeField = value.length === 3 ? value[2] : "requested";
    if (timeField !== "requested" && timeField !== "finished" && timeField !== "approved") return null;
    const at = new Date(value[0]);
    if (!Number.isNaN(at.getTime())) return { at, id: value[1], timeField };
  } catch {
    // not a cursor of ours
  }
  return null;
}
