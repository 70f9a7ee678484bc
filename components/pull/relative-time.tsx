"use client";

import { useSyncExternalStore } from "react";
import { ago, formatTime } from "./sync-badges";

const TICK_MS = 15_000;
const subscribe = (onChange: () => void) => {
  const timer = setInterval(onChange, TICK_MS);
  return () => clearInterval(timer);
};
// Rounded so repeated reads within a tick return the same value (a stable snapshot).
const clientNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;
const serverNow = () => null;

/**
 * "3 min ago", ticking. The server renders the absolute time and the browser switches to the relative one after
 * hydration, so the two renders never disagree.
 */
export function RelativeTime({ iso, never = "never" }: { iso: string | null; never?: string }) {
  const now = useSyncExternalStore(subscribe, clientNow, serverNow);
  if (!iso) return <>{never}</>;
  return (
    <time dateTime={iso} title={formatTime(iso)}>
      {now === null ? formatTime(iso) : ago(iso, now)}
    </time>
  );
}
