import { formatDate, formatDateTime, type Instant, toDateTimeAttribute } from "@/lib/format/date";

/**
 * An instant as `<time>`: "2026-12-06 08:15 UTC" (the display zone, so server and browser render the same text and
 * hydration never disagrees), with the instant to the second in its tooltip. `precision="date"` for tables where the
 * day is enough; `"second"` for logs where order within a minute matters.
 */
export function DateTime({
  value,
  precision = "second",
  empty = "—",
}: {
  value: Instant | null | undefined;
  precision?: "date" | "minute" | "second";
  empty?: string;
}) {
  const dateTime = toDateTimeAttribute(value);
  if (dateTime === undefined) return <span className="text-slate-500">{empty}</span>;
  return (
    <time dateTime={dateTime} title={formatDateTime(dateTime, { seconds: true })}>
      {precision === "date" ? formatDate(dateTime) : formatDateTime(dateTime, { seconds: precision === "second" })}
    </time>
  );
}
