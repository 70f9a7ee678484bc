import { formatDateTime, toDateTimeAttribute } from "@/lib/format/date";
import type { Archived } from "@/lib/targets/schemas";

/** "deleted 2026-12-06 18:55 UTC by Alice": the marker archived targets and applications carry wherever they show. */
export function archivedPhrase(archived: Archived): string {
  return `deleted ${formatDateTime(archived.at)}${archived.byName ? ` by ${archived.byName}` : ""}`;
}

/**
 * The banner on the page of a deleted (archived) target or application, and of the deployments that belong to one:
 * the record is history, readable as it was, and nothing runs on it any more.
 */
export function ArchivedBanner(props: { what: "target" | "application"; name: string; archived: Archived }) {
  const { archived } = props;
  return (
    <div role="note" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
      <p>
        <strong className="font-semibold">
          The {props.what} {props.name} was deleted
        </strong>{" "}
        <time dateTime={toDateTimeAttribute(archived.at)}>{formatDateTime(archived.at)}</time>
        {archived.byName ? ` by ${archived.byName}` : ""}. Its history stays readable here;{" "}
        {props.what === "target"
          ? "nothing can be deployed or synced to it any more."
          : "it can no longer be deployed or synced."}
      </p>
    </div>
  );
}
