/** Opaque keyset cursor over (occurredAt desc, id desc). */
export function encodeSyncCursor(occurredAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([occurredAt.toISOString(), id])).toString("base64url");
}

export function decodeSyncCursor(cursor: string): { occurredAt: Date; id: string } | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || typeof parsed[1] !== "string") return null;
    const occurredAt = new Date(parsed[0]);
    if (Number.isNaN(occurredAt.getTime())) return null;
    return { occurredAt, id: parsed[1] };
  } catch {
    return null;
  }
}
