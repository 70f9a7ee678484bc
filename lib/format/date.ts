import { formatDuration } from "./duration";

/**
 * The one way the dashboard, its notifications and its CLI write an instant: "2026-12-06 08:15 UTC", the date alone
 * ("2026-12-06") where only the day matters, and "3 min ago" / "in 2 days" where recency matters. Plain module (no
 * Next, no server-only).
 *
 * Every instant is shown in one explicit zone, never the process's or the browser's: a server-rendered client
 * component then renders the same text on the server and in the browser, so hydration never disagrees, and two people
 * reading the same page see the same time.
 */
export const DISPLAY_TIME_ZONE = "UTC";

/** What the formatters accept: a Date, an ISO string or epoch milliseconds. */
export type Instant = Date | string | number;

function toDate(value: Instant): Date | null {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const two = (n: number) => String(n).padStart(2, "0");

// Read with the UTC getters because the display zone is UTC: no Intl, whose first formatter in a browser tab loads
// ICU's data before the page can hydrate (lib/format/number.ts). Another zone would need Intl.DateTimeFormat here.
function partsOf(d: Date): Record<"year" | "month" | "day" | "hour" | "minute" | "second", string> {
  return {
    year: String(d.getUTCFullYear()),
    month: two(d.getUTCMonth() + 1),
    day: two(d.getUTCDate()),
    hour: two(d.getUTCHours()),
    minute: two(d.getUTCMinutes()),
    second: two(d.getUTCSeconds()),
  };
}

/**
 * "2026-12-06 08:15 UTC" (`seconds`: "2026-12-06 08:15:42 UTC", for logs where order within a minute matters).
 * None or an unreadable value → `empty` ("—").
 */
export function formatDateTime(
  value: Instant | null | undefined,
  opts: { seconds?: boolean; empty?: string } = {},
): string {
  const d = value === null || value === undefined ? null : toDate(value);
  if (!d) return opts.empty ?? "—";
  const p = partsOf(d);
  const time = opts.seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  return `${p.year}-${p.month}-${p.day} ${time} ${DISPLAY_TIME_ZONE}`;
}

/** "2026-12-06", the day in the display zone, where the time of day does not matter. None → `empty` ("—"). */
export function formatDate(value: Instant | null | undefined, opts: { empty?: string } = {}): string {
  const d = value === null || value === undefined ? null : toDate(value);
  if (!d) return opts.empty ?? "—";
  const p = partsOf(d);
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * How long ago or ahead `value` is from `now`: "45 s ago", "3 min ago", "2 h ago", "1 day ago", "in 2 days" (whole
 * units, the same as formatDuration's). Under a second, and anything less than a minute ahead (clock skew between
 * agent, server and browser), is "just now". Depends on `now`, so render it after hydration (components/ui/
 * relative-time.tsx) or with a `now` the server sends along, never with each side's own clock.
 */
export function formatRelative(value: Instant | null | undefined, now: Instant, opts: { empty?: string } = {}): string {
  const d = value === null || value === undefined ? null : toDate(value);
  const n = toDate(now);
  if (!d || !n) return opts.empty ?? "—";
  const diff = n.getTime() - d.getTime();
  if (Math.abs(diff) < 1000 || (diff < 0 && diff > -60_000)) return "just now";
  const length = formatDuration(Math.abs(diff), { whole: true });
  return diff > 0 ? `${length} ago` : `in ${length}`;
}

/** The ISO instant for a `<time dateTime>` attribute, or undefined for none. */
export function toDateTimeAttribute(value: Instant | null | undefined): string | undefined {
  const d = value === null || value === undefined ? null : toDate(value);
  return d ? d.toISOString() : undefined;
}
