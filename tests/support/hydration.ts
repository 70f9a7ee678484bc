import type { Page } from "@playwright/test";
import { HYDRATED_MARK, SECTION_HYDRATED_ATTRIBUTE } from "@/lib/utils";

/**
 * Waits until the page has hydrated: the root layout's mark (app/providers.tsx) and the mark of every streamed section
 * in the document (components/layout/section-hydrated.tsx). Call after `load`: by then the whole HTML has arrived, so
 * every section's element is in the document even while React has not revealed it yet.
 */
export async function waitForHydration(page: Page, timeout?: number): Promise<void> {
  await page.waitForFunction(
    ([mark, attribute]) =>
      performance.getEntriesByName(mark).length > 0 &&
      [...document.querySelectorAll(`[${attribute}]`)].every(
        (el) => performance.getEntriesByName(`${mark}:${el.getAttribute(attribute)}`).length > 0,
      ),
    [HYDRATED_MARK, SECTION_HYDRATED_ATTRIBUTE] as const,
    timeout === undefined ? undefined : { timeout },
  );
}

/** When the page became interactive (ms since navigation start): the latest of its hydration marks. */
export async function hydratedAt(page: Page): Promise<number> {
  return page.evaluate(
    (mark) =>
      Math.max(
        ...performance
          .getEntriesByType("mark")
          .filter((m) => m.name === mark || m.name.startsWith(`${mark}:`))
          .map((m) => m.startTime),
      ),
    HYDRATED_MARK,
  );
}
