import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ArchivedBanner, archivedPhrase } from "@/components/targets/archived-banner";

// The marker of a deleted (archived) target or application (issue 16, Must 2) as the server renders it: who deleted
// it and when, in the display zone, and that its history stays readable while nothing runs on it any more.
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&apos;/g, "'")
    .replace(/\s+/g, " ");

const ARCHIVED = { at: "2026-12-06T18:55:12.000Z", byName: "Alice Admin" };

describe("archived marker", () => {
  it("says deleted <date> by <user>, or only the date when the name is unknown", () => {
    expect(archivedPhrase(ARCHIVED)).toBe("deleted 2026-12-06 18:55 UTC by Alice Admin");
    expect(archivedPhrase({ ...ARCHIVED, byName: null })).toBe("deleted 2026-12-06 18:55 UTC");
  });

  it("a target's banner names it, when and by whom, and that nothing deploys to it", () => {
    const html = renderToString(
      createElement(ArchivedBanner, { what: "target", name: "payments-prod", archived: ARCHIVED }),
    );
    const words = text(html);
    expect(words).toContain("The target payments-prod was deleted");
    expect(words).toContain("2026-12-06 18:55 UTC by Alice Admin");
    expect(words).toContain("history stays readable");
    expect(words).toContain("nothing can be deployed or synced to it");
    expect(html).toContain('dateTime="2026-12-06T18:55:12.000Z"');
    expect(html).toContain('role="note"');
  });

  it("an application's banner says it can no longer be deployed", () => {
    const words = text(
      renderToString(createElement(ArchivedBanner, { what: "application", name: "web", archived: ARCHIVED })),
    );
    expect(words).toContain("The application web was deleted");
    expect(words).toContain("it can no longer be deployed or synced");
  });
});
