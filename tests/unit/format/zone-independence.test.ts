import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// The browser and the server render a client component with their own locale and time zone. What lib/format and
// the date components write must not depend on either, or hydration disagrees (the credentials pages once formatted
// with the browser's locale: "Dec 9, 2026, 8:05 AM" on one side, "9.12.2026, 09:05" on the other). Each case runs in
// a fresh Node process, because the locale is fixed at start-up; the control line proves the environments differ.
const SCRIPT = `
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { formatDate, formatDateTime, formatRelative } from "@/lib/format/date";
import { formatDuration } from "@/lib/format/duration";
import { DateTime } from "@/components/ui/date-time";
import { RelativeTime } from "@/components/ui/relative-time";

const at = "2026-12-09T08:05:00.000Z";
console.log(JSON.stringify({
  control: new Date(at).toLocaleString(),
  text: [
    formatDateTime(at),
    formatDateTime(at, { seconds: true }),
    formatDate(at),
    formatRelative(at, "2026-12-10T09:00:00.000Z"),
    formatDuration(1.5 * 86_400_000),
  ],
  html: renderToString(
    createElement("div", null, createElement(DateTime, { value: at }), createElement(DateTime, { value: at, precision: "date" }), createElement(RelativeTime, { value: at })),
  ),
}));
`;

const ENVIRONMENTS = [
  { TZ: "UTC", LANG: "en_US.UTF-8" },
  { TZ: "Europe/Berlin", LANG: "de_DE.UTF-8" },
  { TZ: "Pacific/Kiritimati", LANG: "ja_JP.UTF-8" },
  { TZ: "America/Los_Angeles", LANG: "en_GB.UTF-8" },
];

function render(env: { TZ: string; LANG: string }): { control: string; text: string[]; html: string } {
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], {
    cwd: process.cwd(),
    env: { ...env, LC_ALL: env.LANG, NODE_ENV: "test" },
    encoding: "utf8",
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "") as { control: string; text: string[]; html: string };
}

describe("dates render the same whatever the process's time zone and locale", () => {
  it("writes the same text and markup in every environment", () => {
    const results = ENVIRONMENTS.map(render);
    // The environments really differ: the locale-dependent control does not agree with itself.
    expect(new Set(results.map((r) => r.control)).size).toBe(ENVIRONMENTS.length);
    const [first] = results;
    expect(first?.text).toEqual([
      "2026-12-09 08:05 UTC",
      "2026-12-09 08:05:00 UTC",
      "2026-12-09",
      "1 day ago",
      "1.5 days",
    ]);
    expect(first?.html).toContain(">2026-12-09 08:05:00 UTC</time>");
    for (const r of results) {
      expect(r.text).toEqual(first?.text);
      expect(r.html).toBe(first?.html);
    }
  }, 60_000);
});
