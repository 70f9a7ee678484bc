import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}

/** Performance mark set once the page's React tree has hydrated (app/providers.tsx); the dashboard bench reads it. */
export const HYDRATED_MARK = "wharf:hydrated";

/** A small deterministic PRNG (mulberry32): the same seed gives the same sequence, so generated data can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A page's search parameters as Next.js hands them over (a repeated key arrives as an array). */
export type PageSearchParams = Record<string, string | string[] | undefined>;

/** The first value of each search parameter: a repeated key in a hand-edited link counts once, as in the API. */
export function firstValues(params: PageSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) out[k] = value;
  }
  return out;
}
