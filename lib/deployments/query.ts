import {
  DEPLOYMENT_LIST_LIMIT_DEFAULT,
  type DeploymentListPage,
  type DeploymentView,
  type TDeploymentListFilter,
  type TDeploymentListQuery,
} from "./schemas";
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

/** How often an unfinished deployment's page polls for news (approvals, a preview) before it runs. */
export const DEPLOYMENT_POLL_MS = 1500;

/**
 * Poll while the deployment can still change; stop once it is finished. Not while it is queued or running: the page
 * then follows it through the progress long poll (components/deployments/deployment-progress.tsx), which puts each new
 * state in this query's data and reads the deployment again, so polling here would only load the database.
 */
export function detailRefetchInterval(d: DeploymentView | undefined): number | false {
  return d && (isTerminal(d.state) || d.state === "queued" || d.state === "running") ? false : DEPLOYMENT_POLL_MS;
}

/**
 * Drops empty values (and the default `timeField`) and sorts states, so equal filters share a cache entry on the
 * server and in the browser and produce the same URL.
 */
export function normalizeDeploymentFilter(filter: TDeploymentListFilter): TDeploymentListFilter {
  const out: TDeploymentListFilter = { limit: filter.limit };
  if (filter.targetId) out.targetId = filter.targetId;
  if (filter.applicationId) out.applicationId = filter.applicationId;
  if (filter.state?.length) out.state = [...new Set(filter.state)].sort();
  if (filter.requester) out.requester = filter.requester;
  if (filter.environment) out.environment = filter.environment;
  if (filter.mode) out.mode = filter.mode;
  if (filter.timeField && filter.timeField !== "requested") out.timeField = filter.timeField;
  if (filter.from) out.from = filter.from;
  if (filter.to) out.to = filter.to;
  if (filter.waitedForApproval) out.waitedForApproval = true;
  if (filter.recovery) out.recovery = true;
  return out;
}

/** The filter of a parsed list query (instants back to ISO strings). */
export function deploymentFilterOf(query: TDeploymentListQuery): TDeploymentListFilter {
  const { cursor: _cursor, from, to, ...rest } = query;
  return normalizeDeploymentFilter({ ...rest, from: from?.toISOString(), to: to?.toISOString() });
}

/**
 * The URL parameters of a filter, in one fixed order. The API (`GET /api/deployments`) and the page (`/deployments`)
 * read the same names, so a page URL's query string is also the API query for the same rows.
 */
export function deploymentListParams(
  filter: TDeploymentListFilter,
  opts: { cursor?: string | null; withLimit?: boolean } = {},
): URLSearchParams {
  const params = new URLSearchParams();
  const f = normalizeDeploymentFilter(filter);
  if (f.targetId) params.set("targetId", f.targetId);
  if (f.applicationId) params.set("applicationId", f.applicationId);
  if (f.environment) params.set("environment", f.environment);
  if (f.mode) params.set("mode", f.mode);
  if (f.state) params.set("state", f.state.join(","));
  if (f.requester) params.set("requester", f.requester);
  if (f.timeField) params.set("timeField", f.timeField);
  if (f.from) params.set("from", f.from);
  if (f.to) params.set("to", f.to);
  if (f.waitedForApproval) params.set("waitedForApproval", "true");
  if (f.recovery) params.set("recovery", "true");
  if (opts.withLimit ?? true) params.set("limit", String(f.limit));
  else if (f.limit !== DEPLOYMENT_LIST_LIMIT_DEFAULT) params.set("limit", String(f.limit));
  if (opts.cursor) params.set("cursor", opts.cursor);
  return params;
}

/** The API query string for a list filter and cursor. */
export function deploymentListSearch(filter: TDeploymentListFilter, cursor?: string | null): string {
  return deploymentListParams(filter, { cursor }).toString();
}

export const DEPLOYMENT_LIST_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: DeploymentListPage): string | null => last.nextCursor,
};
