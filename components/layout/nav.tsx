"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { cn } from "@/lib/utils";

export interface NavItem {
  href: string;
  label: string;
}

/**
 * The header: `brand` and `account` on the first row and the section links below. From 768 px (md) the links are
 * always shown, wrapping as needed; a phone would spend half its screen on them, so there they sit behind a "Menu"
 * disclosure button at the end of the first row. Open, the links stack; Escape closes and puts focus back on the button, and
 * following a link closes it.
 */
export function Nav({ items, brand, account }: { items: NavItem[]; brand: ReactNode; account: ReactNode }) {
  const pathname = usePathname();
  const navId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  // The page the menu was opened on: navigating elsewhere closes it without an effect resetting state.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const matches = (href: string) =>
    href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
  // Nested items (/credentials and /credentials/access): only the most specific match is the current page.
  const current = items.filter((i) => matches(i.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || !open) return;
    e.preventDefault();
    setOpenOn(null);
    buttonRef.current?.focus();
  };
  return (
    <div onKeyDown={onKeyDown}>
      <div className="mx-auto flex max-w-7xl items-center gap-3 px-4 pt-3 pb-3 sm:px-6 md:gap-6 md:pb-0">
        {brand}
        <div className="ml-auto flex min-w-0 items-center gap-3 text-sm text-slate-300">{account}</div>
        {/* Last in the row, so the links it opens are the very next Tab stops. */}
        <button
          ref={buttonRef}
          type="button"
          aria-expanded={open}
          aria-controls={navId}
          onClick={() => setOpenOn(open ? null : pathname)}
          className="shrink-0 rounded-md border border-slate-700 px-3 py-1 text-sm font-medium text-slate-200 hover:bg-slate-800 md:hidden"
        >
          Menu
        </button>
      </div>
      <div className={cn("mx-auto max-w-7xl px-4 pt-2 pb-2", open ? "block" : "hidden md:block")}>
        <nav id={navId} aria-label="Main" className="flex flex-col gap-1 md:flex-row md:flex-wrap">
          {items.map((item) => {
            const active = item.href === current;
            return (
              <Link
                key={item.href}
                href={item.href}
                // Not prefetched: every page is dynamic without a loading state, so a prefetch fetches only layouts the
                // browser already has, yet each page view sent two rounds of 13 (220 ms of server CPU, more than the
                // Overview's own render).
                prefetch={false}
                aria-current={active ? "page" : undefined}
                // A link to the page already shown does not change the path; close the menu all the same.
                onClick={() => setOpenOn(null)}
                className={cn(
                  "rounded-md px-3 py-1.5 text-sm font-medium",
                  active ? "bg-slate-800 text-white" : "text-slate-300 hover:bg-slate-800/60 hover:text-white",
                )}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
      </div>
    </div>
  );
}
