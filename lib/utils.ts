import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}

/** Performance mark set once the page's React tree has hydrated (app/providers.tsx); the dashboard bench reads it. */
export const HYDRATED_MARK = "wharf:hydrated";
