import { describe, expect, it } from "vitest";
import { csvCell, csvRow, exportFilename, exportStream, jsonLine, type ExportColumn } from "@/lib/audit/export-format";

/** A minimal RFC 4180 reader, to check that what we write reads back as the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  return rows;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

async function* pagesOf<T>(pages: T[][]): AsyncGenerator<T[]> {
  for (const p of pages) yield p;
}

describe("CSV cells", () => {
  it("quotes commas, quotes and line breaks, doubling quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(new Date("2026-01-02T03:04:05.000Z"))).toBe("2026-01-02T03:04:05.000Z");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell("+1+1")).toBe("'+1+1");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell("a=b")).toBe("a=b");
    // Numbers are data, not text a user typed.
    expect(csvCell(-5)).toBe("-5");
  });

  it("round-trips hostile values through a CSV reader", () => {
    const values = ["x,y", 'q"q', "line1\r\nline2", "=cmd|' /C calc'!A0", "", "ok"];
    const [row] = parseCsv(csvRow(values));
    expect(row).toEqual(values.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
  });
});

describe("JSON Lines", () => {
  it("writes one object per line, newlines inside values escaped", () => {
    const line = jsonLine({ a: "two\nlines", b: 1 });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({ a: "two\nlines", b: 1 });
  });
});

describe("exportStream", () => {
  const columns: ExportColumn<{ n: number; s: string }>[] = [
    { header: "n", value: (r) => r.n },
    { header: "s", value: (r) => r.s },
  ];

  it("writes the CSV header, then every page in order, skipping empty pages", async () => {
    const text = await readAll(
      exportStream({
        format: "csv",
        columns,
        pages: pagesOf([
          [{ n: 1, s: "a" }],
          [],
          [
            { n: 2, s: "b,c" },
            { n: 3, s: "=x" },
          ],
        ]),
      }),
    );
    expect(parseCsv(text)).toEqual([
      ["n", "s"],
      ["1", "a"],
      ["2", "b,c"],
      ["3", "'=x"],
    ]);
  });

  it("writes JSON Lines without a header", async () => {
    const text = await readAll(
      exportStream({ format: "jsonl", columns, pages: pagesOf([[{ n: 1, s: "a" }], [{ n: 2, s: "=b" }]]) }),
    );
    expect(
      text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { n: 1, s: "a" },
      { n: 2, s: "=b" },
    ]);
  });

  it("writes only the header for no rows", async () => {
    expect(await readAll(exportStream({ format: "csv", columns, pages: pagesOf<{ n: number; s: string }>([]) }))).toBe(
      "n,s\r\n",
    );
  });

  it("asks for the next page only when the reader wants more", async () => {
    let fetched = 0;
    async function* counting() {
      for (let i = 0; i < 100; i++) {
        fetched++;
        yield [{ n: i, s: "x" }];
      }
    }
    const reader = exportStream({ format: "jsonl", columns, pages: counting() }).getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 20));
    expect(fetched).toBeLessThanOrEqual(3);
    await reader.cancel();
  });

  it("names the file by what and date", () => {
    expect(exportFilename("credential-access", "csv", new Date("2026-11-26T12:00:00Z"))).toBe(
      "wharf-credential-access-2026-11-26.csv",
    );
  });
});
