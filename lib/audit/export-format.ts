/**
 * CSV and JSON Lines encoding for audit exports. Pure functions, so the escaping rules are tested on their own and
 * the streaming code only moves pages.
 */

export type ExportCell = string | number | boolean | null | undefined | Date;

// Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection, OWASP). Tab and CR
// are on OWASP's list too: some programs strip them and then see the "=".
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: text that starts like a formula gets a leading `'` so a spreadsheet shows it instead of running it;
 * a cell with a quote, comma or line break is quoted, with quotes doubled (RFC 4180). Dates become ISO strings,
 * null and undefined an empty cell.
 */
export function csvCell(value: ExportCell): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated as RFC 4180 asks. */
export function csvRow(cells: readonly ExportCell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** One JSON Lines record: a compact JSON object and a newline (JSON escapes any newline inside strings). */
export function jsonLine(value: Record<string, unknown>): string {
  return `${JSON.stringify(value)}\n`;
}

/** A column of an export: its header and how to read it from a row. */
export interface ExportColumn<R> {
  header: string;
  value: (row: R) => ExportCell;
}

/** `wharf-<what>-<yyyy-mm-dd>.<ext>`; the date is the export's, in UTC. */
export function exportFilename(what: string, format: "csv" | "jsonl", now = new Date()): string {
  return `wharf-${what}-${now.toISOString().slice(0, 10)}.${format}`;
}

/** The response headers of an export download. */
export function exportHeaders(filename: string, format: "csv" | "jsonl"): Record<string, string> {
  return {
    "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    "content-disposition": `attachment; filename=${filename}`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  };
}

/**
 * A byte stream of an export that asks for the next page only when the reader wants more, so a million rows never
 * sit in memory: at most one page (and the chunk made of it) is held at a time. `pages` yields arrays of rows in
 * order; each page becomes one chunk. CSV starts with the header row.
 */
export function exportStream<R>(opts: {
  format: "csv" | "jsonl";
  columns: readonly ExportColumn<R>[];
  /** For JSON Lines: the object written per row (defaults to the columns by header). */
  toJson?: (row: R) => Record<string, unknown>;
  pages: AsyncIterator<R[]>;
}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const toJson =
    opts.toJson ??
    ((row: R) => {
      const o: Record<string, unknown> = {};
      for (const c of opts.columns) {
        const v = c.value(row);
        o[c.header] = v instanceof Date ? v.toISOString() : (v ?? null);
      }
      return o;
    });
  let headerSent = opts.format !== "csv";
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvRow(opts.columns.map((c) => c.header))));
          return;
        }
        // A pull that enqueues nothing is not called again, so skip empty pages here.
        for (;;) {
          const next = await opts.pages.next();
          if (next.done) {
            controller.close();
            return;
          }
          let chunk = "";
          for (const row of next.value)
            chunk += opts.format === "csv" ? csvRow(opts.columns.map((c) => c.value(row))) : jsonLine(toJson(row));
          if (chunk) {
            controller.enqueue(encoder.encode(chunk));
            return;
          }
        }
      },
      async cancel() {
        await opts.pages.return?.();
      },
    },
    // One page in flight: the reader's pace sets the database's.
    { highWaterMark: 1 },
  );
}
