import { z } from "zod";
import { ZAssignmentsQuery, ZEnrolRequest, ZEventsRequest, ZHeartbeatRequest } from "@/lib/agent/protocol";
import { ZAgentListQuery, ZCreateAgent } from "@/lib/agents/schemas";
import { ZCredentialAccessFilter, ZCredentialAccessPage, ZExportFormat } from "@/lib/audit/credential-access";
import { ZAuditFilter } from "@/lib/audit/schemas";
import type { Permission } from "@/lib/auth/roles";
import { ZSignIn } from "@/lib/auth/schemas";
import { ZComparisonQuery } from "@/lib/compare/range";
import {
  ZCredentialListFilter,
  ZCredentialPolicy,
  ZCredentialPolicyListQuery,
  ZKubeconfigImport,
  ZStoreCredential,
  ZUpdateCredentialPolicy,
} from "@/lib/credentials/schemas";
import { ZApprovalInput, ZCreateDeployment, ZDeploymentListQuery, ZRollbackInput } from "@/lib/deployments/schemas";
import { ZCreateRepoBinding } from "@/lib/deployments/webhooks";
import {
  ZCreateNotificationSink,
  ZDeliveryListFilter,
  ZNotificationSinkListQuery,
  ZUpdateNotificationSink,
} from "@/lib/notifications/schemas";
import { ZPinRepo, ZRegisterRepo, ZUpdateRepo } from "@/lib/repos/schemas";
import { ZRotationListFilter } from "@/lib/rotation/schemas";
import { ZSyncDailyQuery, ZSyncEventListQuery } from "@/lib/sync/schemas";
import { ZCreateTarget, ZTargetListQuery, ZUpdateTarget } from "@/lib/targets/schemas";
import { ZCreateApiToken, ZListApiTokens } from "@/lib/tokens/schemas";
import { ZCreateUser, ZListUsers, ZUpdateUser } from "@/lib/users/schemas";

/**
 * Who may call an operation: a permission of the role table (session or API token, `withAuth`), anyone (`public`),
 * a pull agent's credential (`agent`), or the metrics token (`metrics`).
 */
export type RouteAccess = Permission | "public" | "agent" | "metrics";

/** One operation of Wharf's REST API. The zod schemas are the ones the route handlers parse with. */
export interface ApiRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path with `:param` segments, as in the route files' header comments. */
  path: string;
  access: RouteAccess;
  summary: string;
  tag: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status of a successful answer (200 unless the route says otherwise). */
  success?: number;
  response: string;
  /** What the answer is when it is not JSON. */
  produces?: string;
}

const ZExportAuditQuery = ZAuditFilter.omit({ cursor: true, limit: true }).extend({
  format: ZExportFormat.default("csv"),
});
const ZExportAccessQuery = ZCredentialAccessFilter.extend({ format: ZExportFormat.default("csv") });
const ZUsageQuery = z.object({
  credentialId: z.string().trim().min(1).max(200),
  days: z.coerce.number().int().min(1).max(366).default(30),
});
const ZProgressQuery = z.object({ afterLog: z.coerce.number().int().min(0).optional() });

/** Every route under app/api; tests/integration/openapi.test.ts fails when a route file or method is missing here. */
export const API_ROUTES: readonly ApiRoute[] = [
  // Agent protocol v1 (pull agents)
  {
    method: "POST",
    path: "/api/agent/v1/enrol",
    access: "public",
    tag: "agent protocol",
    summary: "Trade a one-time enrolment token for the agent's credential (shown once)",
    body: ZEnrolRequest,
    success: 201,
    response: "The agent id and its credential.",
  },
  {
    method: "GET",
    path: "/api/agent/v1/assignments",
    access: "agent",
    tag: "agent protocol",
    summary: "Long poll: the agent's targets and repositories, at once when changed since `since`",
    query: ZAssignmentsQuery,
    response: "The assignments and their version.",
  },
  {
    method: "POST",
    path: "/api/agent/v1/events",
    access: "agent",
    tag: "agent protocol",
    summary: "A batch of sync events, stored once each by event id",
    body: ZEventsRequest,
    response: "Counts of accepted and duplicate events.",
  },
  {
    method: "POST",
    path: "/api/agent/v1/heartbeat",
    access: "agent",
    tag: "agent protocol",
    summary: "Agent version, hostname and each repository's applied revision and state",
    body: ZHeartbeatRequest,
    response: "Acknowledgement.",
  },
  // Agents
  {
    method: "GET",
    path: "/api/agents",
    access: "read",
    tag: "agents",
    summary: "Pull agents (optionally of one target), without secrets, newest first",
    query: ZAgentListQuery,
    response: "A page of agents with their state, and nextCursor (null on the last page).",
  },
  {
    method: "POST",
    path: "/api/agents",
    access: "targets.manage",
    tag: "agents",
    summary: "Create an agent for pull targets; answers its one-time enrolment token and install snippet",
    body: ZCreateAgent,
    success: 201,
    response: "The agent, its enrolment token (once) and the install snippet.",
  },
  {
    method: "POST",
    path: "/api/agents/:id/revoke",
    access: "targets.manage",
    tag: "agents",
    summary: "Revoke an agent: its credential and enrolment token stop working at once",
    response: "The revoked agent.",
  },
  {
    method: "POST",
    path: "/api/agents/:id/rotate",
    access: "targets.manage",
    tag: "agents",
    summary: "Issue a new agent credential (shown once); the old one stops working",
    response: "The new credential, once.",
  },
  // Audit
  {
    method: "GET",
    path: "/api/audit",
    access: "audit.read",
    tag: "audit",
    summary: "Audit rows, newest first, filtered by actor/action/subject/outcome/time, cursor-paginated",
    query: ZAuditFilter,
    response: "A page of audit events and the next cursor.",
  },
  {
    method: "GET",
    path: "/api/audit/export",
    access: "audit.read",
    tag: "audit",
    summary: "The filtered audit log as a streamed CSV or JSON Lines download, oldest first",
    query: ZExportAuditQuery,
    response: "CSV or JSON Lines.",
    produces: "text/csv",
  },
  {
    method: "POST",
    path: "/api/audit/verify",
    access: "audit.read",
    tag: "audit",
    summary: "Walk the hash chain; the first broken link if any",
    response: "{ intact, rows, brokenAt? }",
  },
  {
    method: "GET",
    path: "/api/credential-access",
    access: "credential-access.read",
    tag: "audit",
    summary: "Credential events (decrypts, stores, replacements, denials), newest first, filtered, cursor-paginated",
    query: ZCredentialAccessPage,
    response: "A page of credential access rows.",
  },
  {
    method: "GET",
    path: "/api/credential-access/export",
    access: "credential-access.read",
    tag: "audit",
    summary: "The filtered credential access rows as a streamed CSV or JSON Lines download",
    query: ZExportAccessQuery,
    response: "CSV or JSON Lines.",
    produces: "text/csv",
  },
  {
    method: "GET",
    path: "/api/credential-access/usage",
    access: "credential-access.read",
    tag: "audit",
    summary: "Who decrypted a credential in the last days: actors, counts, last use, purposes",
    query: ZUsageQuery,
    response: "Usage by actor.",
  },
  // Auth
  {
    method: "GET",
    path: "/api/auth/me",
    access: "read",
    tag: "auth",
    summary: "Who the caller is (session or API token) and their role",
    response: "The principal.",
  },
  {
    method: "POST",
    path: "/api/auth/sign-in",
    access: "public",
    tag: "auth",
    summary: "Email + password; sets the httpOnly session cookie",
    body: ZSignIn,
    response: "The signed-in user.",
  },
  {
    method: "POST",
    path: "/api/auth/sign-out",
    access: "read",
    tag: "auth",
    summary: "End the current session and clear its cookie",
    response: "Nothing (204) or acknowledgement.",
  },
  {
    method: "GET",
    path: "/api/auth/oidc/start",
    access: "public",
    tag: "auth",
    summary: "Redirect to the identity provider (authorization code + PKCE); ?returnTo=/path",
    success: 302,
    response: "Redirect to the provider.",
  },
  {
    method: "GET",
    path: "/api/auth/oidc/callback",
    access: "public",
    tag: "auth",
    summary: "The provider's redirect: verify, sign in, set the session cookie, go to returnTo",
    success: 302,
    response: "Redirect into Wharf.",
  },
  // Comparison
  {
    method: "GET",
    path: "/api/comparison",
    access: "read",
    tag: "comparison",
    summary: "Push vs pull for a range and optional environment: delivery (DORA-style) and exposure figures",
    query: ZComparisonQuery,
    response:
      "Delivery figures per mode (frequency, lead time p50/p90, change failure rate, time to restore, approval wait, drift, per-day series) and exposure (credentials, ages, decrypts, denials; agents).",
  },
  // Credentials and policies
  {
    method: "GET",
    path: "/api/credentials",
    access: "read",
    tag: "credentials",
    summary: "Active credentials of all targets with rotation status",
    query: ZCredentialListFilter,
    response: "A page of credentials (never material) and status counts.",
  },
  {
    method: "POST",
    path: "/api/credentials/:id/scope-check",
    access: "credentials.replace",
    tag: "credentials",
    summary:
      "Ask the cluster what the credential may do (SelfSubjectRulesReview); flags cluster-admin equivalents (decrypt audited)",
    response: "{ credentialId, clusterAdmin, namespace, incomplete, checkedAt }",
  },
  {
    method: "POST",
    path: "/api/credentials/:id/rotate",
    access: "credentials.replace",
    tag: "credentials",
    summary: "Rotate a service account token now through the TokenRequest API",
    response: "The new credential (never material).",
  },
  {
    method: "GET",
    path: "/api/targets/:id/credentials",
    access: "read",
    tag: "credentials",
    summary: "The target's active credential, its history and policy (never material)",
    response: "Active credential, history, policy.",
  },
  {
    method: "POST",
    path: "/api/targets/:id/credentials",
    access: "credentials.replace",
    tag: "credentials",
    summary: "Store a credential, or replace the active one (manual rotation)",
    body: ZStoreCredential,
    success: 201,
    response: "The stored credential (never material).",
  },
  {
    method: "GET",
    path: "/api/rotation",
    access: "read",
    tag: "credentials",
    summary: "Active credentials with age, last/next rotation, policy and status",
    query: ZRotationListFilter,
    response: "A page of the rotation overview.",
  },
  {
    method: "GET",
    path: "/api/policies",
    access: "read",
    tag: "credentials",
    summary: "Credential policies by name, cursor-paginated",
    query: ZCredentialPolicyListQuery,
    response: "A page of policies ({ items, nextCursor }; nextCursor is null on the last page).",
  },
  {
    method: "POST",
    path: "/api/policies",
    access: "policies.manage",
    tag: "credentials",
    summary: "Create a credential policy",
    body: ZCredentialPolicy,
    success: 201,
    response: "The policy.",
  },
  {
    method: "GET",
    path: "/api/policies/:id",
    access: "read",
    tag: "credentials",
    summary: "One credential policy",
    response: "The policy.",
  },
  {
    method: "PATCH",
    path: "/api/policies/:id",
    access: "policies.manage",
    tag: "credentials",
    summary: "Change a credential policy (any subset of its fields)",
    body: ZUpdateCredentialPolicy,
    response: "The policy.",
  },
  {
    method: "DELETE",
    path: "/api/policies/:id",
    access: "policies.manage",
    tag: "credentials",
    summary: "Delete a credential policy; targets naming it fall back to their environment's",
    response: "Nothing (204) or acknowledgement.",
  },
  // Deployments
  {
    method: "GET",
    path: "/api/deployments",
    access: "read",
    tag: "deployments",
    summary:
      "List deployments (target, environment, mode, state(s), requester; [from, to) on the requested/finished/approved instant; the comparison's approval-wait and recovery rows; cursor pagination, newest first)",
    query: ZDeploymentListQuery,
    response: "A page of deployments and the next cursor.",
  },
  {
    method: "POST",
    path: "/api/deployments",
    access: "deployments.request",
    tag: "deployments",
    summary: "Request a push deployment (pasted manifests or a Git repository path)",
    body: ZCreateDeployment,
    success: 201,
    response: "The deployment, with its preview and approval rule.",
  },
  {
    method: "GET",
    path: "/api/deployments/:id",
    access: "read",
    tag: "deployments",
    summary: "One deployment with its rule, approvals, preview, progress and what the caller may do",
    response: "The deployment.",
  },
  {
    method: "POST",
    path: "/api/deployments/:id/approvals",
    access: "deployments.approve",
    tag: "deployments",
    summary: "Approve or reject (a rejection needs a comment)",
    body: ZApprovalInput,
    success: 201,
    response: "The deployment after the decision.",
  },
  {
    method: "POST",
    path: "/api/deployments/:id/cancel",
    access: "read",
    tag: "deployments",
    summary: "Cancel before it runs, or ask the executor to stop a running one (requester, approvers, admins)",
    response: "The deployment.",
  },
  {
    method: "POST",
    path: "/api/deployments/:id/preview",
    access: "read",
    tag: "deployments",
    summary: "Run the dry-run diff against the cluster again (requesters and approvers)",
    response: "The deployment with its new preview.",
  },
  {
    method: "GET",
    path: "/api/deployments/:id/progress",
    access: "read",
    tag: "deployments",
    summary: "Live execution progress: counters, object results, log lines after ?afterLog=<seq>",
    query: ZProgressQuery,
    response: "Progress.",
  },
  {
    method: "POST",
    path: "/api/deployments/:id/rollback",
    access: "deployments.request",
    tag: "deployments",
    summary: "Request a new deployment of a past succeeded one's manifests (admins: emergency)",
    body: ZRollbackInput,
    success: 201,
    response: "The new deployment.",
  },
  // Operations
  {
    method: "GET",
    path: "/api/health",
    access: "public",
    tag: "operations",
    summary: "Liveness for load balancers and start-up checks",
    response: '{ status: "ok" }',
  },
  {
    method: "GET",
    path: "/api/metrics",
    access: "metrics",
    tag: "operations",
    summary: "Prometheus metrics (text format); 404 while WHARF_METRICS_TOKEN is unset",
    response: "Prometheus text exposition.",
    produces: "text/plain",
  },
  {
    method: "GET",
    path: "/api/openapi.json",
    access: "public",
    tag: "operations",
    summary: "This document",
    response: "OpenAPI 3.1 document.",
  },
  // Notifications
  {
    method: "GET",
    path: "/api/notification-sinks",
    access: "notifications.manage",
    tag: "notifications",
    summary: "Webhook sinks by name with their events and delivery counts (never their secrets), cursor-paginated",
    query: ZNotificationSinkListQuery,
    response: "A page of sinks ({ items, nextCursor }; nextCursor is null on the last page).",
  },
  {
    method: "POST",
    path: "/api/notification-sinks",
    access: "notifications.manage",
    tag: "notifications",
    summary: "Create a sink; the answer holds its signing secret, shown this once",
    body: ZCreateNotificationSink,
    success: 201,
    response: "The sink and its secret (once).",
  },
  {
    method: "PATCH",
    path: "/api/notification-sinks/:id",
    access: "notifications.manage",
    tag: "notifications",
    summary: "Change name, URL, events or enabled; `rotateSecret` returns a new secret once",
    body: ZUpdateNotificationSink,
    response: "The sink.",
  },
  {
    method: "DELETE",
    path: "/api/notification-sinks/:id",
    access: "notifications.manage",
    tag: "notifications",
    summary: "Delete a sink and its delivery log",
    response: "Nothing (204) or acknowledgement.",
  },
  {
    method: "GET",
    path: "/api/notification-sinks/:id/deliveries",
    access: "notifications.manage",
    tag: "notifications",
    summary: "The sink's delivery log, newest first",
    query: ZDeliveryListFilter,
    response: "A page of deliveries.",
  },
  {
    method: "POST",
    path: "/api/notification-sinks/:id/test",
    access: "notifications.manage",
    tag: "notifications",
    summary: "Send a signed test notification now and report the sink's answer",
    response: "The sink's answer.",
  },
  // Pull repositories and sync history
  {
    method: "GET",
    path: "/api/targets/:id/repos",
    access: "read",
    tag: "pull",
    summary: "Repositories registered on a pull target, with their last reported status",
    response: "{ repos }",
  },
  {
    method: "POST",
    path: "/api/targets/:id/repos",
    access: "repos.register",
    tag: "pull",
    summary: "Register a Git repository on a pull target (its agents pick it up at once)",
    body: ZRegisterRepo,
    success: 201,
    response: "The repository.",
  },
  {
    method: "GET",
    path: "/api/repos/:id",
    access: "read",
    tag: "pull",
    summary: "One registered repository and its status",
    response: "The repository.",
  },
  {
    method: "PATCH",
    path: "/api/repos/:id",
    access: "repos.register",
    tag: "pull",
    summary:
      "Change a registered repository's settings; a changed URL, branch, path, prune flag or image policy is a new revision (on approval-gated targets it waits for approval)",
    body: ZUpdateRepo,
    response: "The repository.",
  },
  {
    method: "DELETE",
    path: "/api/repos/:id",
    access: "repos.register",
    tag: "pull",
    summary: "Stop syncing a repository (history is kept; applied objects stay)",
    response: "Nothing (204) or acknowledgement.",
  },
  {
    method: "POST",
    path: "/api/repos/:id/pin",
    access: "repos.register",
    tag: "pull",
    summary: "Roll back: pin an earlier revision (through the target's approval rule), or unpin",
    body: ZPinRepo,
    response: "The outcome (pinned, pending approval, unpinned).",
  },
  {
    method: "GET",
    path: "/api/targets/:id/pull-status",
    access: "read",
    tag: "pull",
    summary: "A pull target's status card: repositories, applied revision, agents, staleness",
    response: "Pull status.",
  },
  {
    method: "GET",
    path: "/api/sync-events",
    access: "read",
    tag: "pull",
    summary:
      "Sync history of all pull targets (filters target/environment/repo/result(s)/trigger, [from, to) on occurredAt, recovery and commit-time rows; cursor pages)",
    query: ZSyncEventListQuery,
    response: "A page of sync events and the next cursor.",
  },
  {
    method: "GET",
    path: "/api/sync-events/daily",
    access: "read",
    tag: "pull",
    summary: "Syncs and failures per UTC day for the timeline chart",
    query: ZSyncDailyQuery,
    response: "{ days }",
  },
  // Targets
  {
    method: "GET",
    path: "/api/targets",
    access: "read",
    tag: "targets",
    summary: "List targets (q, mode, environment filters; cursor pagination)",
    query: ZTargetListQuery,
    response: "A page of targets and the next cursor.",
  },
  {
    method: "POST",
    path: "/api/targets",
    access: "targets.manage",
    tag: "targets",
    summary: "Register a target",
    body: ZCreateTarget,
    success: 201,
    response: "The target.",
  },
  {
    method: "POST",
    path: "/api/targets/import",
    access: "targets.manage",
    tag: "targets",
    summary: "{kubeconfig, dryRun: true} previews contexts; {kubeconfig, contexts} creates targets",
    body: ZKubeconfigImport,
    response: "The preview or the created targets.",
  },
  {
    method: "GET",
    path: "/api/targets/:id",
    access: "read",
    tag: "targets",
    summary: "One target",
    response: "The target.",
  },
  {
    method: "PATCH",
    path: "/api/targets/:id",
    access: "targets.manage",
    tag: "targets",
    summary: "Change a target's settings (or rename it)",
    body: ZUpdateTarget,
    response: "The target.",
  },
  {
    method: "DELETE",
    path: "/api/targets/:id",
    access: "targets.manage",
    tag: "targets",
    summary: "Delete a target and its credentials",
    response: "Nothing (204) or acknowledgement.",
  },
  {
    method: "GET",
    path: "/api/targets/:id/repo-bindings",
    access: "targets.manage",
    tag: "targets",
    summary: "The repositories whose pushes request deployments to this target, and the webhook URL",
    response: "Bindings and the webhook URL.",
  },
  {
    method: "POST",
    path: "/api/targets/:id/repo-bindings",
    access: "targets.manage",
    tag: "targets",
    summary: "Bind a repository branch; the response shows the generated webhook secret once",
    body: ZCreateRepoBinding,
    success: 201,
    response: "The binding and its secret (once).",
  },
  {
    method: "DELETE",
    path: "/api/targets/:id/repo-bindings/:bindingId",
    access: "targets.manage",
    tag: "targets",
    summary: "Remove a binding; its webhook is refused from then on",
    response: "Nothing (204) or acknowledgement.",
  },
  // Tokens and users
  {
    method: "GET",
    path: "/api/tokens",
    access: "read",
    tag: "users and tokens",
    summary: "The caller's API tokens (admins: all tokens, with owners); never the secrets",
    query: ZListApiTokens,
    response: "Tokens.",
  },
  {
    method: "POST",
    path: "/api/tokens",
    access: "tokens.manage-own",
    tag: "users and tokens",
    summary: "Create a token for the caller; the plaintext is in this response and nowhere else",
    body: ZCreateApiToken,
    success: 201,
    response: "The token and its secret (once).",
  },
  {
    method: "DELETE",
    path: "/api/tokens/:id",
    access: "read",
    tag: "users and tokens",
    summary: "Revoke a token (your own; admins any)",
    response: "{ token }",
  },
  {
    method: "GET",
    path: "/api/users",
    access: "users.manage",
    tag: "users and tokens",
    summary: "List users, oldest first, cursor-paginated",
    query: ZListUsers,
    response: "A page of users.",
  },
  {
    method: "POST",
    path: "/api/users",
    access: "users.manage",
    tag: "users and tokens",
    summary: "Create a user with an initial password",
    body: ZCreateUser,
    success: 201,
    response: "{ user }",
  },
  {
    method: "PATCH",
    path: "/api/users/:id",
    access: "users.manage",
    tag: "users and tokens",
    summary: "Rename, change role, disable or enable a user",
    response: "{ user }",
    body: ZUpdateUser,
  },
  // Webhooks
  {
    method: "POST",
    path: "/api/webhooks/git",
    access: "public",
    tag: "webhooks",
    summary: "GitHub/GitLab push webhook (HMAC-SHA256 or token verified): a deployment request per bound target",
    response: "What was requested, per bound target.",
  },
];

type JsonSchema = Record<string, unknown>;

/** JSON Schema of a zod schema as a client sends it (defaults optional); unrepresentable parts become `{}`. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/**
 * Query parameters of an object schema. Query schemas wrap fields in `preprocess` (empty string → no filter), whose
 * input side zod cannot describe, so each field is described by its output type; a field is required when parsing
 * without it fails.
 */
function queryParameters(schema: z.ZodObject): JsonSchema[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const { $schema: _ignored, ...described } = z.toJSONSchema(f, {
      io: "output",
      unrepresentable: "any",
    }) as JsonSchema;
    const { description, ...fieldSchema } = described;
    return {
      name,
      in: "query",
      required: !f.safeParse(undefined).success,
      schema: fieldSchema,
      // Lists in a query are one comma-separated value (`state=succeeded,failed`), not repeated parameters.
      ...(fieldSchema.type === "array" ? { style: "form", explode: false } : {}),
      ...(typeof description === "string" ? { description } : {}),
    };
  });
}

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "Stable error code, e.g. VALIDATION_FAILED, FORBIDDEN, NOT_FOUND." },
        message: { type: "string" },
        fields: {
          type: "object",
          additionalProperties: { type: "array", items: { type: "string" } },
          description: "Per-field messages of a 422.",
        },
      },
    },
  },
} as const;

const errorRef = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** `/api/targets/:id` → `/api/targets/{id}`, and the path parameters. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: converted, params };
}

/** The OpenAPI 3.1 document of Wharf's REST API, generated from API_ROUTES and the routes' zod schemas. */
export function buildOpenApiDocument(opts: { serverUrl: string; version?: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of API_ROUTES) {
    const { path, params } = openApiPath(r.path);
    const success = r.success ?? 200;
    const security =
      r.access === "public"
        ? []
        : r.access === "agent"
          ? [{ agentCredential: [] }]
          : r.access === "metrics"
            ? [{ metricsToken: [] }]
            : [{ apiToken: [] }, { sessionCookie: [] }];
    const responses: Record<string, unknown> = {
      [String(success)]: r.produces
        ? { description: r.response, content: { [r.produces]: { schema: { type: "string" } } } }
        : success === 302
          ? { description: r.response }
          : { description: r.response, content: { "application/json": { schema: { type: "object" } } } },
    };
    if (r.body || r.query) responses["422"] = errorRef("Invalid input: `fields` names each problem.");
    if (r.access !== "public") responses["401"] = errorRef("No or invalid credentials.");
    if (r.access !== "public" && r.access !== "agent" && r.access !== "metrics")
      responses["403"] = errorRef(`The caller's role lacks the \`${r.access}\` permission.`);
    if (params.length) responses["404"] = errorRef("No such resource.");
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      summary: r.summary,
      tags: [r.tag],
      security,
      "x-wharf-permission": r.access,
      parameters: [
        ...params.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
        ...(r.query ? queryParameters(r.query) : []),
      ],
      ...(r.body
        ? { requestBody: { required: true, content: { "application/json": { schema: inputSchema(r.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Wharf API",
      version: opts.version ?? "1",
      description:
        "Push and pull Kubernetes delivery. Authenticate with an API token (`Authorization: Bearer wharf_…`, created under Tokens); each operation names the permission it needs (`x-wharf-permission`). Errors are `{error:{code,message,fields?}}`.",
    },
    servers: [{ url: opts.serverUrl }],
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        apiToken: {
          type: "http",
          scheme: "bearer",
          description: "An API token (`wharf_…`) with the role the operation needs.",
        },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "wharf_session",
          description: "The browser session (writes also need a same-origin Origin header).",
        },
        agentCredential: { type: "http", scheme: "bearer", description: "A pull agent's credential (`wharfa_…`)." },
        metricsToken: { type: "http", scheme: "bearer", description: "WHARF_METRICS_TOKEN." },
      },
    },
  };
}
