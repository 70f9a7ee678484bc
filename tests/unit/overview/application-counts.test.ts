import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApplicationCounts } from "@/components/overview/application-counts";
import type { ApplicationHealthCounts } from "@/lib/applications/data/count-application-health";

// The Overview's application card (issue 15, Must 6) as the server renders it: counts per mode in words, links to
// the applications list and the environments matrix, and the buckets with nothing in them left out unless a zero
// is itself the news ("0 degraded").
const COUNTS: ApplicationHealthCounts = {
  total: 9,
  pull: {
    total: 5,
    health: { Healthy: 3, Progressing: 0, Degraded: 1, Suspended: 0, Missing: 0, Unknown: 0, notReported: 1 },
    sync: { inSync: 3, outOfSync: 1, failed: 0, notReported: 1 },
  },
  push: {
    total: 4,
    lastDeployment: { succeeded: 2, failed: 1, awaitingApproval: 0, inProgress: 0, ended: 0, never: 1 },
  },
};

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&apos;/g, "'")
    .replace(/\s+/g, " ");

describe("Overview application counts", () => {
  it("shows each mode's counts in words with links to the list and the matrix", () => {
    const html = renderToString(createElement(ApplicationCounts, { counts: COUNTS }));
    const words = text(html);
    expect(words).toContain("All 9 applications");
    expect(words).toContain("5 pull");
    expect(words).toContain("3 healthy");
    expect(words).toContain("1 degraded");
    expect(words).toContain("1 not reported");
    expect(words).toContain("3 in sync");
    expect(words).toContain("1 out of sync");
    expect(words).toContain("4 push");
    expect(words).toContain("2 succeeded");
    expect(words).toContain("1 failed");
    expect(words).toContain("0 awaiting approval");
    expect(words).toContain("1 never deployed");
    // Empty buckets that are not news are left out.
    expect(words).not.toContain("progressing");
    expect(words).not.toContain("sync failed");
    expect(words).not.toContain("in progress");
    expect(html).toContain('href="/applications"');
    expect(html).toContain('href="/environments"');
  });
});
