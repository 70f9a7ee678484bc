import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { CredentialAgeBars, DailyBarsFigure, DailyDeliveries } from "@/components/compare/charts";
import { dailyBars } from "@/lib/compare/chart-series";

// The chart's client part only reads the router when clicked; rendering needs no mounted app router.
vi.mock("next/navigation", () => ({ useRouter: () => ({ push: () => undefined }) }));

// The comparison charts are drawn on the server (issue 17, item 2): the bars are SVG in the HTML before any script
// runs and no chart library is involved. Each day's numbers and links are sent once, as the figure's table data
// (the RSC payload, tests/e2e/comparison-charts.spec.ts): the server's HTML holds no table, only the "Show data
// table" disclosure the keyboard and screen readers open, and a frame whose name summarises the figure.
const DAYS = Array.from({ length: 30 }, (_, i) => ({
  day: new Date(Date.UTC(2026, 10, 7 + i)).toISOString().slice(0, 10),
  deployments: i % 4,
  failures: i % 7 === 0 ? 1 : 0,
}));
const bars = dailyBars(DAYS, (day, failed) => `/deployments?day=${day}${failed ? "&state=failed" : ""}`);

describe("comparison charts on the server", () => {
  const html = renderToString(
    createElement(DailyBarsFigure, { bars, label: "push deployments and failures per day", noun: "deployments" }),
  );

  it("draws the bars as SVG in the server's HTML, failures stacked in red", () => {
    expect(html).toMatch(/<svg[^>]*viewBox="0 0 30 100"/);
    expect(html).toMatch(/<path d="M[^"]+" class="fill-emerald-500"/);
    expect(html).toMatch(/<path d="M[^"]+" class="fill-red-500" data-part="1"/);
    expect(html).not.toContain("recharts");
  });

  it("renders no table until asked for: a closed disclosure, and no day's link in the HTML", () => {
    expect(html).not.toContain("<table");
    expect(html).toMatch(
      /<button type="button" aria-expanded="false" aria-label="Show data table: push deployments and failures per day"[^>]*>Show data table<\/button>/,
    );
    for (const b of bars) expect(html).not.toContain(`href="${b.href.replace(/&/g, "&amp;")}"`);
  });

  it("names the chart with a summary of its figure", () => {
    const summarised = renderToString(
      createElement(DailyDeliveries, {
        series: DAYS,
        mode: "push",
        scope: { from: "2026-11-07T00:00:00.000Z", to: "2026-12-07T00:00:00.000Z", environment: null },
        label: "push deployments and failures per day",
        noun: "deployments",
      }),
    );
    expect(summarised).toContain(
      'role="img" aria-label="push deployments and failures per day: 43 deployments and 3 failed over 30 days"',
    );
  });

  it("draws the age policy as a dashed line with its label", () => {
    const ages = renderToString(
      createElement(CredentialAgeBars, {
        ages: {
          policyMaxAgeDays: 30,
          bars: [
            { label: "0–7 days", upperDays: 7, count: 2 },
            { label: "7–30 days", upperDays: 30, count: 1 },
            { label: "30–60 days", upperDays: 60, count: 3 },
          ],
        },
        label: "Push credential ages",
        noun: "credentials",
        links: { href: "/credentials", beyondPolicyHref: "/credentials?status=overdue" },
      }),
    );
    expect(ages).toContain('stroke-dasharray="4 3"');
    expect(ages).toContain("policy 30 days");
    expect(ages).toMatch(/class="fill-amber-500"/);
    expect(ages).toContain('aria-label="Push credential ages (policy: 30 days): 6 credentials, 3 past the policy"');
  });
});
