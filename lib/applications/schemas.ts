import { z } from "zod";
import { HEALTH_CODES, ZRepoBranch, ZRepoPath, ZRepoUrl } from "@/lib/agent/protocol";
import { ZDeploymentState } from "@/lib/deployments/states";
import { dnsLabel, ZArchived, ZMode } from "@/lib/targets/schemas";
import { ZMatrixResult } from "./matrix-schemas";
import { APPLICATION_NAME_MAX } from "./naming";
import { ZRevisionSummary } from "./revision-summary";

/**
 * Application schemas and views, shared by the route handlers and the pages. An application is a named desired state
 * on one target; the same name on several targets is the same application in several environments.
 */

/** An application's name: a DNS label (≤ 63), unique per target. */
export const ZApplicationName = dnsLabel("Enter a name.");

export const APPLICATION_SOURCE_KINDS = ["git", "manifests"] as const;
export const ZApplicationSourceKind = z.enum(APPLICATION_SOURCE_KINDS);

export const RENDER_KINDS = ["auto", "plain", "kustomize", "helm"] as const;
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;

/** A Helm chart repository an application allows dependencies from: a name and an http(s) URL. */
export const ZChartRepository = z.strictObject({
  name: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,62}$/, "Name the repository with letters, digits, '-', '_' or '.'."),
  url: z
    .string()
    .trim()
    .max(2048)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
      } catch {
        return false;
      }
    }, "Use an https:// (or http://) chart repository URL without credentials."),
});

/** How a Git source is rendered (lib/render): `auto` reads Chart.yaml or a kustomization, else plain YAML/JSON. */
export const ZRenderOptions = z.strictObject({
  kind: z.enum(RENDER_KINDS, { error: "Choose auto, plain, kustomize or helm." }).default("auto"),
  helm: z
    .strictObject({
      /** Defaults to one derived from the source path and repository (lib/render defaultReleaseName). */
      releaseName: z
        .string()
        .trim()
        .regex(RELEASE_NAME, "Use a DNS label of at most 53 characters for the release name.")
        .optional(),
      /** Relative to the chart directory, inside the repository. */
      valuesFiles: z.array(z.string().trim().min(1).max(1024)).max(20, "Use at most 20 values files.").default([]),
      /** Applied after the values files. */
      values: z.record(z.string(), z.unknown()).default({}),
      /**
       * Chart repositories a dependency missing from the chart's charts/ folder may be fetched from; without one
       * listed, every dependency must be vendored (lib/render refuses the rest, naming them).
       */
      repositories: z.array(ZChartRepository).max(20, "List at most 20 chart repositories.").optional(),
    })
    .optional(),
});
export type TRenderOptions = z.output<typeof ZRenderOptions>;

/** Seconds between a pull application's drift checks (null: the agent's default). */
export const ZDriftInterval = z
  .number({ error: "Enter a whole number of seconds from 30 to 86400." })
  .int("Enter a whole number of seconds from 30 to 86400.")
  .min(30, "Check for drift at most every 30 seconds.")
  .max(86_400, "Check for drift at least once a day (86400 seconds).");

/** Where an application's manifests come from: a Git path, or (push only) manifests sent with each deployment. */
export const ZApplicationSource = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({
      kind: z.literal("git"),
      repoUrl: ZRepoUrl,
      ref: ZRepoBranch.default("main"),
      path: ZRepoPath.default("."),
    }),
    z.strictObject({ kind: z.literal("manifests") }),
  ],
  { error: "Choose a source: git or manifests." },
);
export type TApplicationSource = z.output<typeof ZApplicationSource>;

/** Body of `POST /api/applications`. Push or pull follows the target's mode; a pull application's source is Git. */
export const ZCreateApplication = z.strictObject({
  name: ZApplicationName,
  targetId: z.string({ error: "Choose a target." }).trim().min(1, "Choose a target.").max(100),
  source: ZApplicationSource,
  renderOptions: ZRenderOptions.default({ kind: "auto" }),
  prune: z.boolean().default(true),
  /** Pull only: the agent puts drifted objects back. */
  selfHeal: z.boolean().default(true),
  /** Pull only. */
  driftInterval: ZDriftInterval.nullable().default(null),
});
export type TCreateApplication = z.output<typeof ZCreateApplication>;
export type TCreateApplicationInput = z.input<typeof ZCreateApplication>;

/**
 * Body of `PATCH /api/applications/:id`: any subset of its settings (its name, target and mode stay). `source` is
 * replaced whole (a Git source's omitted ref and path read as `main` and `.`). A pull application's source is Git;
 * `selfHeal` and `driftInterval` are for pull applications only.
 */
export const ZUpdateApplication = z.strictObject({
  source: ZApplicationSource.optional(),
  renderOptions: ZRenderOptions.optional(),
  prune: z.boolean().optional(),
  selfHeal: z.boolean().optional(),
  driftInterval: ZDriftInterval.nullable().optional(),
});
export type TUpdateApplication = z.output<typeof ZUpdateApplication>;
export type TUpdateApplicationInput = z.input<typeof ZUpdateApplication>;

export const APPLICATION_LIST_LIMIT_DEFAULT = 50;
export const APPLICATION_LIST_LIMIT_MAX = 100;
const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/**
 * Whether what runs matches what was asked for, in Argo CD's words. Pull: its repository's reported state (in sync,
 * else behind, drifted, waiting for approval or failed). Push: its newest request that was not rejected, cancelled or
 * superseded (succeeded: Synced; waiting, running or failed: OutOfSync). Unknown: nothing reported or deployed yet.
 */
export const SYNC_STATUSES = ["Synced", "OutOfSync", "Unknown"] as const;
export const ZSyncStatus = z.enum(SYNC_STATUSES);
export type TSyncStatus = z.infer<typeof ZSyncStatus>;

/** Query of `GET /api/applications`: filters (all optional, combined with AND), the cursor and the page size. */
export const ZApplicationListQuery = z.object({
  targetId: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  /** Exact name: one application across its targets (the "all targets" link). */
  name: z.preprocess(emptyToUndefined, z.string().trim().max(APPLICATION_NAME_MAX).optional()),
  /** Names containing this text (names are lower-case DNS labels, so the search is too). */
  q: z.preprocess(emptyToUndefined, z.string().trim().toLowerCase().max(APPLICATION_NAME_MAX).optional()),
  mode: z.preprocess(emptyToUndefined, ZMode.optional()),
  /** The target's environment, exactly as targets spell it. */
  environment: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  health: z.preprocess(
    emptyToUndefined,
    z.enum(HEALTH_CODES, { error: `Choose a health: ${HEALTH_CODES.join(", ")}.` }).optional(),
  ),
  sync: z.preprocess(
    emptyToUndefined,
    z.enum(SYNC_STATUSES, { error: `Choose a sync status: ${SYNC_STATUSES.join(", ")}.` }).optional(),
  ),
  cursor: z.preprocess(emptyToUndefined, z.string().max(600).optional()),
  limit: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(APPLICATION_LIST_LIMIT_MAX, `Ask for at most ${APPLICATION_LIST_LIMIT_MAX} applications per page.`)
      .default(APPLICATION_LIST_LIMIT_DEFAULT),
  ),
});
export type TApplicationListQuery = z.output<typeof ZApplicationListQuery>;
export type TApplicationListFilter = Omit<TApplicationListQuery, "cursor">;
/** The list's filters (everything but the page size and cursor), in the order the URL and the chips name them. */
export const APPLICATION_LIST_FILTERS = ["q", "name", "mode", "environment", "targetId", "health", "sync"] as const;

/** An application as routes return it and pages show it. Dates are ISO strings. */
export const ZApplicationView = z.object({
  id: z.string(),
  name: z.string(),
  target: z.object({ id: z.string(), name: z.string(), environment: z.string(), mode: ZMode }),
  mode: ZMode,
  source: z.object({
    kind: ZApplicationSourceKind,
    repoUrl: z.string().nullable(),
    ref: z.string().nullable(),
    path: z.string().nullable(),
  }),
  renderOptions: ZRenderOptions,
  prune: z.boolean(),
  selfHeal: z.boolean(),
  driftInterval: z.number().int().nullable(),
  inventoryKey: z.string().describe("The key of its ApplySet: which live objects belong to it."),
  pullRepoId: z.string().nullable().describe("Pull: the registered repository its agent syncs."),
  archived: ZArchived.nullable(),
  lastDeployment: z
    .object({
      id: z.string(),
      state: ZDeploymentState,
      createdAt: z.iso.datetime(),
      finishedAt: z.iso.datetime().nullable(),
    })
    .nullable()
    .describe("Push: its newest deployment."),
  lastSync: z
    .object({ state: z.string(), revision: z.string().nullable(), at: z.iso.datetime().nullable() })
    .nullable()
    .describe("Pull: what its agent last reported."),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ApplicationView = z.output<typeof ZApplicationView>;

/** A row of the Applications list: the application with what runs, how it is doing and what last happened. */
export const ZApplicationListItem = ZApplicationView.extend({
  sync: ZSyncStatus,
  health: z
    .object({ status: z.string(), message: z.string().nullable(), observedAt: z.iso.datetime() })
    .nullable()
    .describe("As last observed (ApplicationLiveState); null before the first report."),
  live: z
    .object({
      commitSha: z.string().nullable().describe("The Git commit applied; null for pasted manifests."),
      revisionId: z.string().nullable().describe("Pull: the revision id the agent applied."),
      deploymentId: z.string().nullable().describe("Push: the deployment that made it live."),
      at: z.iso.datetime().nullable().describe("When it became live (the deployment's finish; the last sync)."),
      summary: ZRevisionSummary.nullable().describe(
        "Chart and images: from the live tree when one was observed, else from the live deployment's manifests.",
      ),
    })
    .nullable()
    .describe("What runs: push, its newest succeeded deployment; pull, the revision its agent applied."),
  result: z
    .object({ state: ZMatrixResult, at: z.iso.datetime().nullable(), message: z.string().nullable() })
    .describe("The last deployment or sync and its result, in the matrix's vocabulary."),
});
export type ApplicationListItem = z.output<typeof ZApplicationListItem>;

export const ZApplicationListPage = z.object({
  items: z.array(ZApplicationListItem),
  nextCursor: z.string().nullable().describe("Opaque; pass back as `cursor` for the next page. Null on the last page."),
});
export type ApplicationListPage = z.output<typeof ZApplicationListPage>;

/** The settings of `PATCH /api/applications/:id`, as `changed` names them. */
export const APPLICATION_SETTINGS = ["source", "renderOptions", "prune", "selfHeal", "driftInterval"] as const;

/** The answer of `PATCH /api/applications/:id`: the application, and what the change does. */
export const ZApplicationUpdated = ZApplicationView.extend({
  update: z.object({
    changed: z.array(z.enum(APPLICATION_SETTINGS)).describe("The settings that changed (empty: nothing did)."),
    pendingDeployment: z
      .boolean()
      .describe(
        "Push: the new source, render options or prune flag are stored and nothing running changed; the next deployment (a webhook push or a request) uses them.",
      ),
    newRevision: z.boolean().describe("Pull: what the agent applies changed, a new desired revision it re-syncs."),
    awaitingApproval: z
      .boolean()
      .describe("Pull: the new revision waits for the target's approvals; the approved revision stays applied."),
    message: z.string().describe("What happens next, in words."),
  }),
});
export type ApplicationUpdated = z.output<typeof ZApplicationUpdated>;

/** The answer of `DELETE /api/applications/:id`. */
export const ZApplicationDeleted = z.object({
  id: z.string(),
  name: z.string(),
  targetId: z.string(),
  mode: ZMode,
  pullRepoRemoved: z
    .string()
    .nullable()
    .describe("Pull: the repository registration removed with it; the target's agents stop syncing it."),
  repoBindingsRemoved: z
    .number()
    .int()
    .describe("Webhook bindings that deployed it (or woke its repository), removed."),
  cancelledRequests: z.number().int().describe("Pull: approval requests of its revisions, cancelled."),
  message: z.string().describe("What stays: objects it applied stay in the cluster; its history is kept."),
});
export type ApplicationDeleted = z.output<typeof ZApplicationDeleted>;
