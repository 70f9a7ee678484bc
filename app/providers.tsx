"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { getQueryClient } from "@/lib/query/query-client";
import { HYDRATED_MARK } from "@/lib/utils";

export function Providers({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  // Effects run children first, so this root effect fires once the whole first commit has hydrated.
  useEffect(() => {
    if (performance.getEntriesByName(HYDRATED_MARK).length === 0) performance.mark(HYDRATED_MARK);
  }, []);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
