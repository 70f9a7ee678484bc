import type { TTargetListFilter } from "@/lib/targets/schemas";

// The filters the application pages' client components read, here rather than in those "use client" modules: a server
// page prefetches with the same keys, and a server component cannot read a plain constant from a client module.

/** Every target the new-application form offers. */
export const APPLICATION_TARGETS_FILTER: TTargetListFilter = { limit: 100 };
