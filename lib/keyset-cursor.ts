import { z } from "zod";
import { AppError } from "./errors";

/**
 * Opaque keyset cursor: the sort key of the previous page's last row, as base64url JSON of its string parts. The
 * page after it starts strictly after that key, so rows added or removed meanwhile neither repeat nor vanish.
 */
export function encodeKeysetCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** The key a cursor names when it has exactly `parts` string parts; null when it is not a cursor of this shape. */
export function decodeKeysetCursor(cursor: string, parts: number): string[] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === parts && value.every((v) => typeof v === "string"))
      return value as string[];
  } catch {
    // fall through: not a cursor of ours
  }
  return null;
}

/** The 422 for a cursor the list did not produce (or produced for another order). */
export function invalidCursorError(): AppError {
  return new AppError("VALIDATION_FAILED", "The page cursor is not valid; start from the first page.", {
    fields: { cursor: ["Not a valid cursor."] },
  });
}

/** A query value that is empty or only blanks means "not given": forms and links send every field, filled or not. */
export const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** What counts as "not given" in a list query; agents' lists take only the empty string, as they always have. */
type Absent = (v: unknown) => unknown;

/** The `cursor` of a list query: the previous page's `nextCursor`, at most `maxLength` characters. */
export function ZListCursor(maxLength: number, absent: Absent = blankToUndefined) {
  return z.preprocess(absent, z.string().max(maxLength).optional());
}

/** The `limit` of a list query: rows per page, 1 to `max` (`noun` names them in the error), `default` when not given. */
export function ZPageLimit(
  { max, default: byDefault, noun }: { max: number; default: number; noun: string },
  absent: Absent = blankToUndefined,
) {
  return z.preprocess(
    absent,
    z.coerce.number().int().min(1).max(max, `Ask for at most ${max} ${noun} per page.`).default(byDefault),
  );
}

/** `true` turns a narrowing on, `false` (or nothing) leaves it off; anything else is refused rather than guessed. */
const ZOnlyWhen = z.enum(["true", "false"]).transform((v) => (v === "true" ? (true as const) : undefined));

/** A list query's on/off narrowing, documented as the string flag it is in a URL. */
export function ZOnlyWhenFlag(description: string) {
  return z
    .preprocess(blankToUndefined, ZOnlyWhen.optional())
    .meta({ type: "string", enum: ["true", "false"], description });
}

/** How a list query's instants (`from`, `to`) are documented: the parsed Date is an ISO string in the URL. */
export const INSTANT_DOC = { type: "string", format: "date-time" } as const;

/** A list query's `[from, to)` range must not be empty. */
export function refineRange<T extends { from?: Date | undefined; to?: Date | undefined }>(
  q: T,
  ctx: z.core.$RefinementCtx<T>,
): void {
  if (q.from && q.to && q.from.getTime() >= q.to.getTime())
    ctx.addIssue({ code: "custom", path: ["to"], message: "`to` must be after `from` (the range is [from, to))." });
}

/** A comma-separated list of `item`s in a list query (`succeeded,failed`): one value keeps its plain form in URLs. */
export function ZCommaList<T extends z.ZodType>(item: T, max: number) {
  return z.preprocess(
    (v) =>
      typeof v === "string"
        ? [
            ...new Set(
              v
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean),
            ),
          ]
        : v,
    z.array(item).min(1).max(max),
  );
}
