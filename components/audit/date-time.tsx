/**
 * A timestamp rendered the same on the server and in the browser (UTC, so hydration never disagrees), with the full
 * ISO value in a tooltip. `precision="date"` for tables where the day is enough.
 */
export function DateTime({
  value,
  precision = "second",
  empty = "—",
}: {
  value: string | null;
  precision?: "date" | "minute" | "second";
  empty?: string;
}) {
  if (!value) return <span className="text-slate-400">{empty}</span>;
  const iso = new Date(value).toISOString();
  const text =
    precision === "date"
      ? iso.slice(0, 10)
      : `${iso.slice(0, 10)} ${iso.slice(11, precision === "minute" ? 16 : 19)} UTC`;
  return (
    <time dateTime={iso} title={iso}>
      {text}
    </time>
  );
}
