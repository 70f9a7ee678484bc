import { QueryCache, QueryClient, isServer } from "@tanstack/react-query";
import { ApiError } from "@/lib/api-fetch";

/**
 * One place for React Query defaults: data stays fresh for 30 s. In the browser a failed query is retried twice, a
 * 4xx answer never. On the server nothing is retried: a page's failed prefetch would hold the whole response for the
 * retries' delays (1 s + 2 s) and then render without its data anyway. The browser fetches what the server could
 * not, and the server's log says why it could not (prefetchQuery itself swallows the error).
 */
export function makeQueryClient(opts: { server?: boolean } = {}): QueryClient {
  const server = opts.server ?? isServer;
  return new QueryClient({
    queryCache: server
      ? new QueryCache({
          onError: (error, query) =>
            console.warn(`[wharf] query ${query.queryHash} failed during a server render: ${error.message}`),
        })
      : undefined,
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: server
          ? false
          : (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
    },
  });
}

let browserClient: QueryClient | undefined;

/** A fresh client per server render, one shared client in the browser. */
export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserClient ??= makeQueryClient();
  return browserClient;
}
