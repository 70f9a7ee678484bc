"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Plain `<a href="/…">` links in the dashboard navigate in the app (router.push), as next/link does, with one
 * document listener instead of a client component per link. The Overview renders some 70 links (figures, counts, the
 * cards' rows, the charts' data tables): as next/link each was a client component hydrated on every load, with its
 * props in the page's RSC payload too (issue 17, item 2). Left to the browser: a click another handler already took
 * (next/link calls preventDefault), a modified or non-primary click (new tab), `target` or `download` links, other
 * origins, `/api/…` (exports, downloads), and a jump to an anchor of the page itself.
 */
export function InAppLinks() {
  const router = useRouter();
  useEffect(() => {
    function onClick(e: MouseEvent) {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
      if (!(a instanceof HTMLAnchorElement) || (a.target && a.target !== "_self") || a.hasAttribute("download")) return;
      const url = new URL(a.href);
      if (url.origin !== window.location.origin || url.pathname.startsWith("/api/")) return;
      if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) return;
      e.preventDefault();
      router.push(`${url.pathname}${url.search}${url.hash}`);
    }
    document.addEventListener("click", onClick);
    return () => document.removeEventListener("click", onClick);
  }, [router]);
  return null;
}
