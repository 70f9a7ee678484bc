import { z } from "zod";
import { DAY_MS } from "@/lib/credentials/status";
import { utcDay } from "@/lib/rollups/contributions";

export const COMPARISON_PRESETS = ["7", "30", "90"] as const;
const MAX_CUSTOM_DAYS = 366;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD");
const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);

/** Query of the comparison (home page and `GET /api/comparison`); values arrive as strings from the URL. */
export const ZComparisonQuery = z.object({
  range: z.preprocess(emptyToUndefined, z.enum([...COMPARISON_PRESETS, "custom"]).default("30")),
  from: z.preprocess(emptyToUndefined, isoDay.optional()),
  to: z.preprocess(emptyToUndefined, isoDay.optional()),
  environment: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
});
export type TComparisonQuery = z.input<typeof ZComparisonQuery>;

/** A whole number of UTC days: [from, to) with `to` exclusive. */
export interface ComparisonRange {
  key: (typeof COMPARISON_PRESETS)[number] | "custom";
  from: Date;
  to: Date;
  days: number;
  environment: string | null;
}

/**
 * Resolves the query to whole UTC days ending today (presets) or the custom from..to, both inclusive. A custom range
 * that is missing a bound, inverted or longer than a year is clamped; an unreadable query means the default (30 days).
 */
export function resolveRange(query: TComparisonQuery, now: Date = new Date()): ComparisonRange {
  // Lenient by design (a hand-edited URL still shows the page); `GET /api/comparison` validates with the schema first.
  const parsed = ZComparisonQuery.safeParse(query);
  const q = parsed.success ? parsed.data : ZComparisonQuery.parse({});
  const tomorrow = new Date(utcDay(now).getTime() + DAY_MS);
  const environment = q.environment || null;
  if (q.range === "custom" && (q.from || q.to)) {
    const toDay = q.to ? new Date(`${q.to}T00:00:00Z`) : utcDay(now);
    let fromDay = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(toDay.getTime() - 29 * DAY_MS);
    if (fromDay > toDay) fromDay = toDay;
    let days = Math.round((toDay.getTime() - fromDay.getTime()) / DAY_MS) + 1;
    if (days > MAX_CUSTOM_DAYS) {
      days = MAX_CUSTOM_DAYS;
      fromDay = new Date(toDay.getTime() - (days - 1) * DAY_MS);
    }
    return { key: "custom", from: fromDay, to: new Date(toDay.getTime() + DAY_MS), days, environment };
  }
  const days = Number(q.range === "custom" ? "30" : q.range);
  return {
    key: q.range === "custom" ? "30" : q.range,
    from: new Date(tomorrow.getTime() - days * DAY_MS),
    to: tomorrow,
    days,
    environment,
  };
}

/** YYYY-MM-DD of a UTC day. */
export function isoDayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The URL parameters that reproduce a range (for links and the controls). */
export function rangeParams(r: ComparisonRange): Record<string, string> {
  const p: Record<string, string> = { range: r.key };
  if (r.key === "custom") {
    p.from = isoDayOf(r.from);
    p.to = isoDayOf(new Date(r.to.getTime() - DAY_MS));
  }
  if (r.environment) p.environment = r.environment;
  return p;
}
