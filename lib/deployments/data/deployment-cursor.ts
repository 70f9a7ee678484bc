/**
 * Opaque keyset cursor for the deployments list, ordered newest first by (createdAt desc, id desc). The position is
 * the last row of the previous page, so requests arriving meanwhile neither repeat nor shift later pages.
 */
export interface DeploymentCursor {
  createdAt: Date;
  id: string;
}

export function encodeDeploymentCursor(c: DeploymentCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id]), "utf8").toString("base64url");
}

export function decodeDeploymentCursor(cursor: string): DeploymentCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: value[1] };
    }
  } catch {
    // not a cursor of ours
  }
  return null;
}
