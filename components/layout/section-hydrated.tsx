"use client";

import { useEffect } from "react";
import { HYDRATED_MARK, SECTION_HYDRATED_ATTRIBUTE } from "@/lib/utils";

/**
 * Put last inside a streamed section (a Suspense boundary's content): once React has hydrated that section, sets the
 * performance mark `wharf:hydrated:<name>`. The root layout's mark (app/providers.tsx) fires when the shell has
 * hydrated, which can be before a streamed section has arrived; "interactive" in the bench and the e2e helpers waits
 * for the mark of every section on the page (tests/support/hydration.ts), found by this element's attribute.
 */
export function SectionHydrated({ name }: { name: string }) {
  useEffect(() => {
    const mark = `${HYDRATED_MARK}:${name}`;
    if (performance.getEntriesByName(mark).length === 0) performance.mark(mark);
  }, [name]);
  return <span hidden {...{ [SECTION_HYDRATED_ATTRIBUTE]: name }} />;
}
