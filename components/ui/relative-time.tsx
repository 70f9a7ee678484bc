"use client";

import { useSyncExternalStore } from "react";
import { formatDateTime, formatRelative, type Instant, toDateTimeAttribute } from "@/lib/format/date";

const TICK_MS = 15_000;
const subscribe = (onChange: () => void) => {
  const timer = setInterval(onChange, TICK_MS);
  return () => clearInterval(timer);
};
// Rounded so repeated reads within a tick return the same value (a stable snapshot).
const clientNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;
const serverNow = () => null;

/**
 * "3 min ago" / "in 2 days", ticking, with the absolute time in its tooltip. The server renders the absolute time and
 * the browser switches to the relative one after hydration (its first render uses the server's snapshot), so the two
 * renders never disagree however far apart their clocks are.
 */
export function RelativeTime({ value, never = "never" }: { value: Instant | null | undefined; never?: string }) {
  const now = useSyncExternalStore(subscribe, clientNow, serverNow);
  const dateTime = toDateTimeAttribute(value);
  if (dateTime === undefined) return <>{never}</>;
  const absolute = formatDateTime(dateTime);
  return (
    <time dateTime={dateTime} title={absolute}>
      {now === null ? absolute : formatRelative(dateTime, now)}
    </time>
  );
}
