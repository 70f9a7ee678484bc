import type { DeploymentListPage, DeploymentView, TDeploymentListFilter } from "./schemas";
import { isTerminal } from "./states";

/**
 * React Query keys for deployments. Server pages prefetch with these and the browser hooks read the same keys.
 * The executor's live progress lives under `detail(id)` too, so invalidating a detail refreshes its progress.
 */
export const deploymentKeys = {
  all: ["deployments"] as const,
  lists: () => [...deploymentKeys.all, "list"] as const,
  list: (filter: TDeploymentListFilter) => [...deploymentKeys.lists(), normalizeDeploymentFilter(filter)] as const,
  details: () => [...deploymentKeys.all, "detail"] as const,
  detail: (id: string) => [...deploymentKeys.details(), id] as const,
};

/** How often an unfinished deployment's page polls for news. */
export const DEPLOYMENT_POLL_MS = 1500;

/** Poll while the deployment can still change; stop once it is finished. */
export function detailRefetchInterval(d: DeploymentView | undefined): number | false {
  return d && isTerminal(d.state) ? false : DEPLOYMENT_POLL_MS;
}

/** Drops empty values so `{state: ""}` and `{}` share a cache entry on the server and in the browser. */
export function normalizeDeploymentFilter(filter: TDeploymentListFilter): TDeploymentListFilter {
  const out: TDeploymentListFilter = { limit: filter.limit };
  if (filter.targetId) out.targetId = filter.targetId;
  if (filter.state) out.state = filter.state;
  if (filter.requester) out.requester = filter.requester;
  return out;
}

/** The API query string for a list filter and cursor. */
export function deploymentListSearch(filter: TDeploymentListFilter, cursor?: string | null): string {
  const params = new URLSearchParams();
  const f = normalizeDeploymentFilter(filter);
  if (f.targetId) params.set("targetId", f.targetId);
  if (f.state) params.set("state", f.state);
  if (f.requester) params.set("requester", f.requester);
  params.set("limit", String(f.limit));
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

export const DEPLOYMENT_LIST_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: DeploymentListPage): string | null => last.nextCursor,
};
