import { z } from "zod";

// The names an audit row is about, stored with the row when it is written (AuditEvent.names), so the trail, the
// credential access view and the exports read in words after the target, credential, application or repository is
// gone. Pure: shared by the writer, the views, the filters and the suggestions.

// Clipped rather than refused: a long deployment reason must not make the audit write (and its change) fail.
const name = z.string().transform((v) => v.slice(0, 500));
const optional = name.nullable().optional();

/**
 * What a row names, per thing it is about; every part optional (a sign-in names no target). Validated on write and
 * on read, so a row whose JSON is not this shape is shown by id rather than mis-read.
 */
export const ZAuditNames = z
  .object({
    target: z.object({ name, environment: optional }).strict().optional(),
    credential: z.object({ label: optional, kind: optional, fingerprint: optional }).strict().optional(),
    application: z.object({ name }).strict().optional(),
    deployment: z.object({ reason: optional, requester: optional, revision: optional }).strict().optional(),
    repository: z.object({ url: name, path: optional }).strict().optional(),
    user: z.object({ email: name }).strict().optional(),
  })
  .strict();
export type TAuditNames = z.infer<typeof ZAuditNames>;

/** The kinds of name the filters take and suggest. A user is matched as the row's actor. */
export const AUDIT_NAME_KINDS = ["target", "application", "credential", "user"] as const;
export const ZAuditNameKind = z.enum(AUDIT_NAME_KINDS);
export type TAuditNameKind = z.infer<typeof ZAuditNameKind>;

/** How many suggestions one request answers: a combobox shows a handful, and the query stays one short index range. */
export const AUDIT_NAME_SUGGESTIONS = 10;

export const ZAuditNameQuery = z.object({
  kind: ZAuditNameKind,
  q: z.string().trim().max(200).default(""),
  limit: z.coerce.number().int().min(1).max(AUDIT_NAME_SUGGESTIONS).default(AUDIT_NAME_SUGGESTIONS),
});
export type TAuditNameQuery = z.infer<typeof ZAuditNameQuery>;

/** The answer of GET /api/audit/names: matching names, alphabetically. */
export const ZAuditNameSuggestions = z.object({ kind: ZAuditNameKind, items: z.array(z.string()) });
export type AuditNameSuggestions = z.infer<typeof ZAuditNameSuggestions>;

/** The name columns copied out of `names` for the indexed filters. */
export interface AuditNameColumns {
  targetName: string | null;
  credentialLabel: string | null;
  applicationName: string | null;
}

export function nameColumnsOf(names: TAuditNames): AuditNameColumns {
  return {
    targetName: names.target?.name ?? null,
    credentialLabel: names.credential?.label ?? null,
    applicationName: names.application?.name ?? null,
  };
}

/** The stored JSON of a names object: parts with nothing in them are left out; null when nothing is named. */
export function serializeAuditNames(names: TAuditNames): string | null {
  const parts = Object.entries(names).filter(([, v]) => v && Object.values(v).some((x) => x !== null && x !== ""));
  return parts.length === 0 ? null : JSON.stringify(Object.fromEntries(parts));
}

/** A stored names column as an object; null for rows from before names were kept or JSON of another shape. */
export function parseAuditNames(text: string | null | undefined): TAuditNames | null {
  if (!text) return null;
  try {
    const parsed = ZAuditNames.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The (kind, name) pairs a row adds to the suggestions: its target, application, credential label and user. */
export function suggestibleNames(names: TAuditNames, actorUserEmail: string | null): [TAuditNameKind, string][] {
  const pairs: [TAuditNameKind, string][] = [];
  if (names.target?.name) pairs.push(["target", names.target.name]);
  if (names.application?.name) pairs.push(["application", names.application.name]);
  if (names.credential?.label) pairs.push(["credential", names.credential.label]);
  if (names.user?.email) pairs.push(["user", names.user.email]);
  if (actorUserEmail && actorUserEmail !== names.user?.email) pairs.push(["user", actorUserEmail]);
  return pairs;
}

/** The key a name is matched by: lower-cased, so "Payments" finds "payments-prod". */
export function nameKey(value: string): string {
  return value.toLowerCase();
}

/**
 * The key range of a prefix: `[prefix, prefix with its last character raised by one)`, which an ordered index
 * serves as one range scan on both databases (a LIKE would not use the index on PostgreSQL without a special
 * operator class). Callers still check startsWith, which makes the answer exact under any collation.
 */
export function prefixRange(prefix: string): { gte: string; lt: string } | null {
  const key = nameKey(prefix);
  if (key === "") return null;
  const last = key.charCodeAt(key.length - 1);
  return { gte: key, lt: key.slice(0, -1) + String.fromCharCode(last + 1) };
}

const NOUN: Record<TAuditNameKind, string> = {
  target: "target",
  application: "application",
  credential: "credential",
  user: "user",
};

/** What a filter by a name no audit row has says, instead of an empty result that reads like "nobody used it". */
export function unknownNameMessage(kind: TAuditNameKind, value: string): string {
  return `No ${NOUN[kind]} named '${value}' has audit events`;
}

/** The same for the actor filter, which matches users, tokens, agents and Wharf itself by any part of their name. */
export function unknownActorMessage(value: string): string {
  return `No actor named '${value}' has audit events`;
}
