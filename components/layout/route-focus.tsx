"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

/**
 * After a client-side navigation to another page (a nav link, or a form that opens what it created: the deployment
 * it requested, the target it saved), keyboard and screen-reader focus moves to the new page's heading, as a full page
 * load would start at the top: otherwise it stays on <body> (the clicked control is gone) and the next Tab starts over
 * at the header. A page that focused something itself (autoFocus, an open dialog) keeps it; a query-string change (a
 * filter) is not a new page and leaves focus alone.
 */
export function RouteFocus() {
  const pathname = usePathname();
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    const main = document.getElementById("main");
    if (!main) return;
    const active = document.activeElement;
    if (active && active !== document.body && main.contains(active) && active !== main) return;
    if (active?.closest("[role=dialog]")) return;
    const heading = main.querySelector("h1");
    const target = heading instanceof HTMLElement ? heading : main;
    if (target === heading) target.tabIndex = -1;
    target.focus({ preventScroll: true });
  }, [pathname]);
  return null;
}
