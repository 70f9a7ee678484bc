import { z } from "zod";

/**
 * Wharf agent protocol, version 1: the only contract between the dashboard and the in-cluster pull agent. Plain
 * zod, no Node or Next imports, so the dashboard's route handlers and the agent (`lib/agent`) validate the same
 * shapes. Names here are stable: add optional fields, never rename or repurpose one; a breaking change is `v2`.
 *
 * Endpoints (all JSON, all but enrolment authenticated with `Authorization: Bearer wharfa_…`):
 * - `POST /api/agent/v1/enrol`        ZEnrolRequest → ZEnrolResponse (the credential is shown this once)
 * - `GET  /api/agent/v1/assignments`  ?since=<version> long poll → ZAssignments
 * - `POST /api/agent/v1/events`       ZEventsRequest → ZEventsResponse (idempotent by event id)
 * - `POST /api/agent/v1/heartbeat`    ZHeartbeatRequest → ZHeartbeatResponse
 * - `POST /api/agent/v1/live-state`   ZLiveStateRequest → ZLiveStateResponse (latest resource tree per application)
 * - `GET  /api/agent/v1/manifests/<sha256>`  → ZManifestsStatus: does Wharf hold the applied manifests of this digest?
 * - `PUT  /api/agent/v1/manifests/<sha256>`  gzip body (≤ MANIFESTS_GZ_MAX_BYTES) → ZManifestsStored; 413 beyond it
 * Errors are `{ error: { code, message } }` with 401 (unknown/revoked credential), 403 (target or repo outside the
 * agent's scope), 422 (invalid body), 5xx (retry with backoff). See lib/agent/PROTOCOL.md.
 */

export const PROTOCOL_VERSION = "v1";
export const AGENT_API_PREFIX = "/api/agent/v1";
export const AGENT_PATHS = {
  enrol: `${AGENT_API_PREFIX}/enrol`,
  assignments: `${AGENT_API_PREFIX}/assignments`,
  events: `${AGENT_API_PREFIX}/events`,
  heartbeat: `${AGENT_API_PREFIX}/heartbeat`,
  liveState: `${AGENT_API_PREFIX}/live-state`,
  manifests: (sha256: string) => `${AGENT_API_PREFIX}/manifests/${sha256}`,
} as const;

/** Readable prefixes so leaked secrets are easy to grep for: `wharfa_…` credentials, `wharfe_…` enrolment tokens. */
export const AGENT_CREDENTIAL_PREFIX = "wharfa";
export const ENROLMENT_TOKEN_PREFIX = "wharfe";

/** How long the assignments long poll holds a request when nothing changes; the agent's HTTP timeout must exceed it. */
export const LONG_POLL_TIMEOUT_MS = 25_000;
/** How often the agent sends a heartbeat; the dashboard calls an agent stale after STALE_AFTER_MISSED_HEARTBEATS. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
export const STALE_AFTER_MISSED_HEARTBEATS = 3;
/** Most events in one `POST /events` batch; the agent splits larger backlogs. */
export const EVENTS_BATCH_MAX = 200;
/** Bounds on the diff an event carries, so one noisy sync cannot flood the dashboard's database. */
export const DIFF_OBJECTS_MAX = 500;
export const DIFF_CHANGES_PER_OBJECT_MAX = 50;
export const MESSAGE_MAX_CHARS = 4000;
/**
 * Largest gzip of applied manifests Wharf stores (issue 16, Must 4): a render past it is still applied and its digest
 * recorded, but its text is not kept. Rendered YAML compresses several-fold, so this is tens of MiB of manifests.
 */
export const MANIFESTS_GZ_MAX_BYTES = 5 * 1024 * 1024;
/** Largest uncompressed manifests Wharf inflates an upload to: bounds what a small gzip may expand into. */
export const MANIFESTS_MAX_BYTES = 64 * 1024 * 1024;
export const POLL_INTERVAL_MIN_SECONDS = 5;
export const POLL_INTERVAL_DEFAULT_SECONDS = 60;
export const POLL_INTERVAL_MAX_SECONDS = 86_400;

const id = z.string().trim().min(1).max(100);
const message = z.string().max(MESSAGE_MAX_CHARS);

// ---------------------------------------------------------------------------------------------------------------
// Enrolment

/** Body of `POST /api/agent/v1/enrol`: trades the one-time enrolment token for the agent's long-lived credential. */
export const ZEnrolRequest = z.object({
  enrolmentToken: z.string().trim().min(1).max(200),
  hostname: z.string().trim().max(253).optional(),
  /** The agent's software version (e.g. "0.1.0"). */
  version: z.string().trim().min(1).max(100),
});
export type TEnrolRequest = z.infer<typeof ZEnrolRequest>;

export const ZEnrolResponse = z.object({
  agentId: id,
  agentName: z.string(),
  /** `wharfa_…`; shown only in this response. The agent must persist it (its state directory or a Secret). */
  credential: z.string(),
});
export type TEnrolResponse = z.infer<typeof ZEnrolResponse>;

// ---------------------------------------------------------------------------------------------------------------
// Repositories and image policies

/** A repository URL before its transport rules (which differ between the agent and the dashboard's own fetch). */
export const ZRepoUrlText = () =>
  z
    .string({ error: "Enter the repository URL." })
    .trim()
    .min(1, "Enter the repository URL.")
    .max(2048, "Use at most 2048 characters.");

/** The URL a repository URL's text names; null (and the issue added) when it is not a full URL. */
export function fullUrlOf(value: string, ctx: z.core.$RefinementCtx<string>): URL | null {
  try {
    return new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: "Enter a full URL, e.g. https://git.example.com/team/app.git." });
    return null;
  }
}

/** Whether git reads a branch, tag or commit name as just that: not as an option (`-…`) or a revision expression. */
export const isPlainGitRevision = (v: string) => !v.startsWith("-") && !/[\s~^:?*[\\]|\.\.|@\{/.test(v);

/**
 * A Git URL the agent may fetch with the real `git`: https, http, git, ssh, file, or scp-like `git@host:org/repo`.
 * Credentials never go in the URL: they live in the cluster (a Secret the agent reads).
 */
export const ZRepoUrl = ZRepoUrlText().superRefine((value, ctx) => {
  if (value.startsWith("-") || /\s/.test(value)) {
    ctx.addIssue({ code: "custom", message: "Enter a plain repository URL." });
    return;
  }
  if (/^[a-z0-9._-]+@[a-z0-9.-]+:[^/]/i.test(value)) return; // scp-like: git@github.com:org/repo.git
  const url = fullUrlOf(value, ctx);
  if (!url) return;
  if (!["http:", "https:", "git:", "ssh:", "file:"].includes(url.protocol)) {
    ctx.addIssue({ code: "custom", message: "Use an https://, http://, ssh://, git:// or file:// URL." });
  } else if (url.password || (url.username && url.protocol !== "ssh:")) {
    // Only ssh:// names a (non-secret) user, e.g. ssh://git@host/org/repo; elsewhere a user part is a token.
    ctx.addIssue({
      code: "custom",
      message: "Do not put credentials in the URL; the agent reads them from a Secret in the cluster.",
    });
  }
});

/** A branch name. Refuses what git would read as an option or a revision expression. */
export const ZRepoBranch = z
  .string({ error: "Enter a branch." })
  .trim()
  .min(1, "Enter a branch.")
  .max(255, "Use at most 255 characters.")
  .refine((v) => isPlainGitRevision(v) && !v.endsWith(".lock") && !v.endsWith("/"), "Enter a plain branch name.");

/** A folder inside the repository; "." (the default) is the root. Normalized: no leading "./" or "/", no trailing "/". */
export const ZRepoPath = z
  .string()
  .trim()
  .max(1024, "Use at most 1024 characters.")
  .transform((v) => v.replace(/^\.?\/+/, "").replace(/\/+$/, "") || ".")
  .refine(
    (v) => v === "." || !v.split("/").some((part) => part === ".." || part === "" || part === "."),
    "Enter a path inside the repository, without '..'.",
  );

export const ZPollIntervalSeconds = z.coerce
  .number({ error: "Enter the poll interval in seconds." })
  .int("Use whole seconds.")
  .min(POLL_INTERVAL_MIN_SECONDS, `Use at least ${POLL_INTERVAL_MIN_SECONDS} seconds.`)
  .max(POLL_INTERVAL_MAX_SECONDS, "Poll at least once a day.");

/** A registry repository without scheme or tag: `registry.example.com/team/app`, `127.0.0.1:5000/team/app`. */
export const ZImageRepository = z
  .string({ error: "Enter the image repository." })
  .trim()
  .min(1, "Enter the image repository, e.g. 127.0.0.1:5000/team/app.")
  .max(512)
  .refine(
    (v) =>
      /^[a-z0-9.-]+(?::[0-9]{1,5})?\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(
        v,
      ),
    "Enter registry host and name without scheme or tag, e.g. 127.0.0.1:5000/team/app.",
  );

/** Which containers an image policy rewrites. Every field narrows; an empty object matches every container of the repository. */
export const ZImagePolicyTarget = z.object({
  /** Workload kind, e.g. Deployment, StatefulSet, DaemonSet, CronJob, Job, Pod. */
  kind: z.string().trim().min(1).max(100).optional(),
  /** Object name. */
  name: z.string().trim().min(1).max(253).optional(),
  /** Container (or init container) name. */
  container: z.string().trim().min(1).max(253).optional(),
});
export type TImagePolicyTarget = z.infer<typeof ZImagePolicyTarget>;

export const IMAGE_TAG_ORDERS = ["numeric", "alphabetical"] as const;

/**
 * An image policy: watch `repository`'s tags, pick the newest allowed one, and set it on the matching containers in
 * the rendered manifests. Exactly one of `semver` (a range like `^1`, `~1.2`, `>=1.0.0 <2`) or `tagPattern` (a
 * regular expression; with a capture group, the group is what `order` compares) is given.
 */
export const ZImagePolicy = z
  .object({
    name: z
      .string({ error: "Name the policy." })
      .trim()
      .min(1, "Name the policy.")
      .max(63, "Use at most 63 characters.")
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "Use lower-case letters, digits and '-'."),
    repository: ZImageRepository,
    semver: z.string().trim().min(1, "Enter a semver range, e.g. ^1 or ~1.2.").max(200).optional(),
    /**
     * RE2 syntax (./tag-pattern.ts): matched in linear time; no backreferences or lookaround. Checked against RE2 where
     * a pattern is accepted (ZCheckedImagePolicies, the routes) and by the agent before it runs one, not here: this
     * schema is bundled into browser forms, which must not carry re2js, and a policy stored before the check must
     * still parse, so that it is shown as invalid and refused by the agent instead of silently dropped.
     */
    tagPattern: z.string().min(1, "Enter a regular expression, e.g. ^main-(\\d+)$.").optional(),
    /** How tags matched by `tagPattern` are ordered to find the newest. Ignored for semver. */
    order: z.enum(IMAGE_TAG_ORDERS).optional(),
    /** The containers the policy updates; empty means every container whose image is `repository`. */
    targets: z.array(ZImagePolicyTarget).max(50).default([]),
  })
  .superRefine((p, ctx) => {
    if ((p.semver === undefined) === (p.tagPattern === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "Give exactly one of a semver range or a tag pattern.",
        path: ["semver"],
      });
    }
  });
export type TImagePolicy = z.output<typeof ZImagePolicy>;
export type TImagePolicyInput = z.input<typeof ZImagePolicy>;

export const ZImagePolicies = z
  .array(ZImagePolicy)
  .max(20, "Use at most 20 image policies per repository.")
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({ code: "custom", message: `The policy name "${p.name}" is used twice.`, path: [i, "name"] });
      seen.add(p.name);
    });
  });

// ---------------------------------------------------------------------------------------------------------------
// Revisions

export const REPO_RENDER_KINDS = ["auto", "plain", "kustomize", "helm"] as const;

/**
 * How the agent renders a repository's path (lib/render): `auto` reads a Chart.yaml or a kustomization, else the
 * YAML/JSON files; the other kinds insist. For a chart: the release name (default lib/render defaultReleaseName of
 * the path), values files relative to the chart directory and inline values applied after them. The namespace is
 * the target's default one and the versions come from the agent's own cluster discovery, so neither is part of it.
 * The dashboard's application render options (lib/applications/schemas.ts ZRenderOptions) in the agent's terms.
 */
export const ZRepoRender = z.object({
  kind: z.enum(REPO_RENDER_KINDS),
  helm: z
    .object({
      releaseName: z.string().max(53).optional(),
      valuesFiles: z.array(z.string().max(1024)).max(20).default([]),
      values: z.record(z.string(), z.unknown()).default({}),
      /** Chart repositories a dependency not vendored in the chart's charts/ folder may be fetched from. */
      repositories: z
        .array(z.object({ name: z.string().max(63), url: z.string().max(2048) }))
        .max(20)
        .optional(),
    })
    .optional(),
});
export type TRepoRender = z.output<typeof ZRepoRender>;

/**
 * Render options without what says nothing: undefined for the default (`auto` with no Helm option), the Helm part
 * only when it sets something. The form specs and assignments carry, so that a repository whose application keeps
 * the defaults has the same spec, digest and assignment as before render options existed.
 */
export function renderOf(render: TRepoRender | null | undefined): TRepoRender | undefined {
  if (!render) return undefined;
  const h = render.helm;
  const helm =
    h && (h.releaseName || h.valuesFiles.length > 0 || Object.keys(h.values).length > 0 || h.repositories?.length)
      ? {
          ...(h.releaseName ? { releaseName: h.releaseName } : {}),
          valuesFiles: h.valuesFiles,
          values: h.values,
          ...(h.repositories?.length ? { repositories: h.repositories } : {}),
        }
      : undefined;
  if (render.kind === "auto" && !helm) return undefined;
  return { kind: render.kind, ...(helm ? { helm } : {}) };
}

/**
 * The settings of a repository that decide what the agent applies: where the manifests come from (URL, branch,
 * folder), how they are rendered, how images are rewritten, and whether objects no longer in Git are pruned. A change to any of them is a
 * new desired revision (its digest is part of the revision id, see revisionIdOf), so on a target that requires
 * approvals it waits for approval like a new commit. How often the agent polls and whether it self-heals are not in
 * it: they change when the agent looks, not what it applies.
 */
export const ZRepoSpec = z.object({
  url: z.string(),
  branch: z.string(),
  path: z.string(),
  prune: z.boolean(),
  imagePolicies: z.array(ZImagePolicy),
  /** Absent: the default (`auto`, no Helm option), as from dashboards older than render options. */
  render: ZRepoRender.optional(),
});
export type TRepoSpec = z.output<typeof ZRepoSpec>;

/** The apply-relevant part of a repository assignment (or registration); default render options are left out. */
export function specOf(repo: TRepoSpec): TRepoSpec {
  const render = renderOf(repo.render);
  return {
    url: repo.url,
    branch: repo.branch,
    path: repo.path,
    prune: repo.prune,
    imagePolicies: repo.imagePolicies,
    ...(render ? { render } : {}),
  };
}

/**
 * The identifier approvals, pins and heartbeats use for "what is applied": the commit SHA; then, when image policies
 * chose images, `+<policy>=<tag>[,<policy>=<tag>…]` (policies sorted by name), so a new image is a new revision; then
 * `@<spec digest>` (lib/agent/spec.ts specDigestOf), so a changed URL, branch, path, render option, prune flag or
 * image policy is a new revision too. Ids without `@…` come from agents older than the spec digest.
 */
export function revisionIdOf(sha: string, images: Record<string, string> = {}, specDigest?: string): string {
  const parts = Object.keys(images)
    .sort()
    .map((name) => `${name}=${images[name]}`);
  return `${parts.length ? `${sha}+${parts.join(",")}` : sha}${specDigest ? `@${specDigest}` : ""}`;
}

/** The commit SHA a revision id starts with. */
export function commitOfRevision(revisionId: string): string {
  return revisionId.split(/[+@]/)[0] ?? revisionId;
}

/** The spec digest a revision id ends with; null for ids made before the digest was part of them. */
export function specDigestOfRevision(revisionId: string): string | null {
  const at = revisionId.indexOf("@");
  return at >= 0 ? revisionId.slice(at + 1) || null : null;
}

export const ZRevisionId = z.string().trim().min(1).max(1000);

// ---------------------------------------------------------------------------------------------------------------
// Assignments (long poll)

export const ZAssignmentsQuery = z.object({
  /** The `version` of the assignments the agent already has; absent on the first call (answered at once). */
  since: z.string().trim().max(200).optional(),
  /** Seconds to hold the request when nothing changed (default and maximum LONG_POLL_TIMEOUT_MS); 0 answers at once. */
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(LONG_POLL_TIMEOUT_MS / 1000)
    .optional(),
});

export const ZRepoAssignment = z.object({
  repoId: id,
  url: z.string(),
  branch: z.string(),
  path: z.string(),
  pollIntervalSeconds: z.number().int().min(POLL_INTERVAL_MIN_SECONDS),
  prune: z.boolean(),
  selfHeal: z.boolean(),
  imagePolicies: z.array(ZImagePolicy),
  /** How the path is rendered; absent for the default (`auto`) and from dashboards older than render options. */
  render: ZRepoRender.optional(),
  /**
   * When the target requires approvals: the newest approved revision id, which the agent may apply; null = none
   * approved yet (apply nothing new, keep what is there). Always null when approvals are not required.
   */
  approvedRevision: z.string().nullable(),
  /**
   * Rollback: when set, the agent applies exactly this revision id (a commit SHA, optionally with image tags) and
   * neither follows the branch nor updates images until the pin is cleared. Only set once in force (approved, if the
   * target requires approvals).
   */
  pinnedRevision: z.string().nullable(),
  /** Bumps when a push webhook names this repo and branch: when it differs from the last seen value, fetch at once. */
  notifySeq: z.number().int().min(0),
  /**
   * The spec `approvedRevision` was approved with (its digest is the id's `@…` part). The agent applies the approved
   * revision with this spec, never with the repository's current settings above, which may have changed since and
   * wait for approval themselves. Null when Wharf does not know it (an id from before spec digests).
   */
  approvedSpec: ZRepoSpec.nullable().optional(),
  /** The spec `pinnedRevision` was applied with; null when Wharf does not know it (the agent then uses the settings above). */
  pinnedSpec: ZRepoSpec.nullable().optional(),
  /**
   * The key of the repository's application's ApplySet (the repository id for applications made from repositories
   * registered before applications). Absent from older dashboards: the agent then keys the set by `repoId`.
   */
  inventoryKey: id.optional(),
  /**
   * A person's pin requests (rollback or promotion, lib/repos/data/request-pin.ts) awaiting approval, with the spec
   * each revision is made with. The agent dry-runs each once (server-side apply, dryRun=All: nothing is applied) and
   * reports its diff in a `pending-approval` event naming the request, so its approvers see what the pin changes
   * here. Never applied from this list: only `pinnedRevision`, once in force. Absent when there are none and from
   * older dashboards.
   */
  pendingPins: z
    .array(z.object({ requestId: id, revision: ZRevisionId, spec: ZRepoSpec.nullable() }))
    .max(20)
    .optional(),
});
export type TRepoAssignment = z.infer<typeof ZRepoAssignment>;

export const ZTargetAssignment = z.object({
  targetId: id,
  name: z.string(),
  defaultNamespace: z.string(),
  /** Namespaces objects may go to besides the default one; objects elsewhere fail validation. */
  allowedNamespaces: z.array(z.string()),
  allowClusterScoped: z.boolean(),
  /** When true, new revisions are reported as `pending-approval` and only `approvedRevision`/`pinnedRevision` are applied. */
  requiresApproval: z.boolean(),
  repos: z.array(ZRepoAssignment),
});
export type TTargetAssignment = z.infer<typeof ZTargetAssignment>;

/** Response of `GET /api/agent/v1/assignments`. With `changed: false` only `version` matters (targets are still sent). */
export const ZAssignments = z.object({
  changed: z.boolean(),
  /** Opaque; send it back as `since`. Changes whenever anything in this response changes. */
  version: z.string(),
  agent: z.object({ id, name: z.string() }),
  targets: z.array(ZTargetAssignment),
});
export type TAssignments = z.infer<typeof ZAssignments>;

// ---------------------------------------------------------------------------------------------------------------
// Events

export const SYNC_EVENT_KINDS = ["sync", "drift", "image-update", "pending-approval", "error"] as const;
export const ZSyncEventKind = z.enum(SYNC_EVENT_KINDS);
export type TSyncEventKind = z.infer<typeof ZSyncEventKind>;

export const SYNC_TRIGGERS = ["registered", "poll", "notify", "drift", "image", "approval", "rollback"] as const;
export const ZSyncTrigger = z.enum(SYNC_TRIGGERS);
export type TSyncTrigger = z.infer<typeof ZSyncTrigger>;

export const SYNC_RESULTS = ["synced", "failed", "drift-corrected", "drift-detected", "pending-approval"] as const;
export const ZSyncResult = z.enum(SYNC_RESULTS);
export type TSyncResult = z.infer<typeof ZSyncResult>;

export const ZRevision = z.object({
  /** The commit SHA. */
  sha: z.string().trim().min(4).max(64),
  /** The revision id (revisionIdOf) when images were overridden; defaults to `sha`. */
  id: ZRevisionId.optional(),
  message: z.string().max(MESSAGE_MAX_CHARS).default(""),
  authorName: z.string().max(320).default(""),
  authorEmail: z.string().max(320).default(""),
  committedAt: z.iso.datetime({ offset: true }).optional(),
});
export type TRevision = z.output<typeof ZRevision>;

export const ZObjectRef = z.object({
  apiVersion: z.string().max(253),
  kind: z.string().max(253),
  namespace: z.string().max(253).optional(),
  name: z.string().max(253),
});
export type TObjectRef = z.infer<typeof ZObjectRef>;

export const ZFieldChange = z.object({
  path: z.string().max(1000),
  op: z.enum(["add", "change", "remove"]),
  old: z.unknown().optional(),
  new: z.unknown().optional(),
});

/** lib/kube's DiffReport, bounded and without error objects: what a dry run says applying would do. */
export const ZDiff = z.object({
  counts: z.object({
    create: z.number().int().min(0),
    change: z.number().int().min(0),
    unchanged: z.number().int().min(0),
    prune: z.number().int().min(0),
    error: z.number().int().min(0).default(0),
  }),
  objects: z
    .array(
      z.object({
        ref: ZObjectRef,
        action: z.enum(["create", "change", "unchanged", "prune", "error"]),
        changes: z.array(ZFieldChange).max(DIFF_CHANGES_PER_OBJECT_MAX),
        message: z.string().max(MESSAGE_MAX_CHARS).optional(),
      }),
    )
    .max(DIFF_OBJECTS_MAX),
  /** True when objects or changes were cut to fit the bounds above. */
  truncated: z.boolean().default(false),
});
export type TDiff = z.output<typeof ZDiff>;

/** Objects whose live state differs from the desired one, with the differing field paths. */
export const ZDrift = z.object({
  objects: z
    .array(z.object({ ref: ZObjectRef, fields: z.array(z.string().max(1000)).max(DIFF_CHANGES_PER_OBJECT_MAX) }))
    .max(DIFF_OBJECTS_MAX),
  truncated: z.boolean().default(false),
});
export type TDrift = z.output<typeof ZDrift>;

export const ZImageChange = z.object({
  policy: z.string().max(63),
  /** Full image references, e.g. `127.0.0.1:5000/team/app:1.1.0` → `…:1.2.0`. `from` is null for a first pick. */
  from: z.string().max(1000).nullable(),
  to: z.string().max(1000),
});

/** A manifest problem: nothing of a revision with problems is applied. `document` is the 0-based index in the file. */
export const ZProblem = z.object({
  file: z.string().max(1024),
  document: z.number().int().min(0).optional(),
  line: z.number().int().min(1).optional(),
  message: z.string().max(MESSAGE_MAX_CHARS),
});

export const ZCounts = z.object({
  created: z.number().int().min(0),
  changed: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  pruned: z.number().int().min(0),
});

/** A SHA-256 digest in lower-case hex: how applied manifests are named, on both sides. */
export const ZSha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "Give a SHA-256 digest as 64 lower-case hex digits.");

/**
 * The rendered manifests a sync applied, by digest: the SHA-256 of their exact bytes (lib/agent/applied-manifests.ts)
 * and their size. The text itself goes once per digest to `PUT /manifests/<sha256>`, before the event that names it.
 */
export const ZAppliedManifestsRef = z.object({
  sha256: ZSha256Hex,
  bytes: z.number().int().min(0),
});
export type TAppliedManifestsRef = z.infer<typeof ZAppliedManifestsRef>;

/** Answer of `GET /api/agent/v1/manifests/<sha256>`: whether Wharf holds those manifests already (then no upload). */
export const ZManifestsStatus = z.object({ sha256: ZSha256Hex, held: z.boolean() });
export type TManifestsStatus = z.infer<typeof ZManifestsStatus>;

/** Answer of `PUT /api/agent/v1/manifests/<sha256>`: `stored` false when another upload had stored them first. */
export const ZManifestsStored = z.object({ sha256: ZSha256Hex, stored: z.boolean() });
export type TManifestsStored = z.infer<typeof ZManifestsStored>;

export const ZSyncEvent = z.object({
  /** A UUID the agent makes when the event happens and keeps across retries: the dashboard stores each id once. */
  id: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  targetId: id,
  repoId: id,
  kind: ZSyncEventKind,
  trigger: ZSyncTrigger,
  result: ZSyncResult,
  revision: ZRevision.optional(),
  counts: ZCounts.optional(),
  durationMs: z.number().int().min(0).optional(),
  message: message.default(""),
  diff: ZDiff.optional(),
  drift: ZDrift.optional(),
  image: ZImageChange.optional(),
  /** Every image the sync changed, when more than one policy moved. */
  images: z.array(ZImageChange).max(20).optional(),
  problems: z.array(ZProblem).max(200).optional(),
  /**
   * On a `pending-approval` event: the pin request (ZRepoAssignment.pendingPins) whose dry run this is — its diff, or
   * without one why the dry run failed. Such an event asks no approval of its own and leaves the repository's status.
   */
  pinRequestId: id.optional(),
  /** What a sync or drift correction applied (absent from agents older than the record, and when nothing was applied). */
  manifests: ZAppliedManifestsRef.optional(),
});
export type TSyncEvent = z.output<typeof ZSyncEvent>;
export type TSyncEventInput = z.input<typeof ZSyncEvent>;

/** Body of `POST /api/agent/v1/events`. Events are stored in the order given; send them oldest first. */
export const ZEventsRequest = z.object({
  events: z.array(ZSyncEvent).max(EVENTS_BATCH_MAX),
  /** Events the agent's disk buffer had to drop since the last successful batch (overflow); recorded, not lost silently. */
  dropped: z.number().int().min(0).optional(),
});
export type TEventsRequest = z.input<typeof ZEventsRequest>;

export const ZEventsResponse = z.object({
  /** Events stored by this call. */
  accepted: z.number().int().min(0),
  /** Events already stored by an earlier call (same id): safe to forget. */
  duplicates: z.number().int().min(0),
});
export type TEventsResponse = z.infer<typeof ZEventsResponse>;

// ---------------------------------------------------------------------------------------------------------------
// Heartbeat

export const REPO_STATES = ["in-sync", "out-of-sync", "drifted", "failed", "pending-approval"] as const;
export const ZRepoState = z.enum(REPO_STATES);
export type TRepoState = z.infer<typeof ZRepoState>;

export const ZHeartbeatRequest = z.object({
  version: z.string().trim().min(1).max(100),
  hostname: z.string().trim().max(253),
  /**
   * When the agent read the repositories' states it sends (its clock, as events' occurredAt): an event that occurred
   * later, and reached Wharf before this heartbeat did, is newer than the state here. Absent from older agents.
   */
  observedAt: z.iso.datetime({ offset: true }).optional(),
  repos: z
    .array(
      z.object({
        repoId: id,
        /** The revision id applied now (null before the first successful sync). */
        revision: z.string().max(1000).nullable(),
        state: ZRepoState,
        message: message.optional(),
      }),
    )
    .max(5000),
});
export type THeartbeatRequest = z.infer<typeof ZHeartbeatRequest>;

export const ZHeartbeatResponse = z.object({
  ok: z.literal(true),
  serverTime: z.string(),
  /** The interval the dashboard expects; the agent should follow it. */
  heartbeatIntervalMs: z.number().int().positive(),
});
export type THeartbeatResponse = z.infer<typeof ZHeartbeatResponse>;

// ---------------------------------------------------------------------------------------------------------------
// Live state (issue 15): each application's resource tree and health, as the agent reads them from its cluster

/** Nodes in one application's reported tree (inventory objects included); the agent builds its tree within it. */
export const LIVE_TREE_NODES_MAX = 2000;
/** Levels of a reported tree: an inventory object and four below it (CronJob → Job → Pod needs two). */
export const LIVE_TREE_DEPTH_MAX = 5;
/** Applications in one `POST /live-state` batch; the agent also keeps a batch under LIVE_STATE_BATCH_BYTES. */
export const LIVE_STATES_BATCH_MAX = 50;
export const LIVE_STATE_BATCH_BYTES = 1024 * 1024;

export const HEALTH_CODES = ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"] as const;
export const ZLiveHealth = z.object({
  status: z.enum(HEALTH_CODES),
  message: z.string().max(1000).optional(),
});
export type TLiveHealth = z.infer<typeof ZLiveHealth>;

const name253 = z.string().max(253);

/** lib/kube/tree.ts ResourceNode without uids: what the application page shows of one object. */
export interface TLiveNode {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
  health: TLiveHealth;
  /** True for the application's own objects, false for those they own. */
  inInventory: boolean;
  pod?: { phase: string; restarts: number; ready: number; containers: number; images: string[] } | undefined;
  /** An inventory object's sync status from the last drift check; absent when not checked (or not Wharf's). */
  sync?: TLiveSync | undefined;
  /** The object's recent Events, newest first. */
  events?: TLiveEvent[] | undefined;
  children: TLiveNode[];
  /** Owned objects the bounds left out. */
  omittedChildren?: number | undefined;
}

const ZLivePod = z.object({
  phase: z.string().max(100),
  restarts: z.number().int().min(0),
  ready: z.number().int().min(0),
  containers: z.number().int().min(0),
  images: z.array(z.string().max(1000)).max(100),
});

/** Bounds on what a node says of its sync status and Events (lib/kube/sync-status.ts, lib/kube/object-events.ts). */
export const LIVE_SYNC_FIELDS_MAX = 20;
/** Drifted fields in one application's report, all objects together; objects past it keep only their status. */
export const LIVE_SYNC_FIELDS_TOTAL_MAX = 200;
export const LIVE_SYNC_VALUE_MAX = 200;
export const LIVE_SYNC_PATH_MAX = 500;
export const LIVE_EVENTS_PER_OBJECT_MAX = 5;
/** Events in one application's report, all objects together (the newest are kept). */
export const LIVE_EVENTS_MAX = 100;
export const LIVE_EVENT_MESSAGE_MAX = 500;

export const SYNC_STATUS_CODES = ["Synced", "OutOfSync", "Unknown"] as const;

/** lib/kube's FieldOwner: the field manager that owns a drifted field's live value. */
const ZLiveFieldOwner = z.object({
  manager: z.string().max(128),
  operation: z.string().max(32),
  time: z.string().max(64).optional(),
});

/** lib/kube's ObjectSyncStatus, bounded: `spec.replicas` applied "3", live "7", owned by kubectl-edit. */
export const ZLiveSync = z.object({
  status: z.enum(SYNC_STATUS_CODES),
  fields: z
    .array(
      z.object({
        path: z.string().max(LIVE_SYNC_PATH_MAX),
        applied: z.string().max(LIVE_SYNC_VALUE_MAX).optional(),
        live: z.string().max(LIVE_SYNC_VALUE_MAX).optional(),
        owner: ZLiveFieldOwner.optional(),
      }),
    )
    .max(LIVE_SYNC_FIELDS_MAX),
  /** Differing fields the bounds left out. */
  omittedFields: z.number().int().min(0).optional(),
  /** True when fields were left out or a path or value was cut (cut text ends in "…"). */
  truncated: z.boolean().optional(),
  message: z.string().max(1000).optional(),
});
export type TLiveSync = z.infer<typeof ZLiveSync>;

/** lib/kube's ObjectEvent: one recent Event of an object. */
export const ZLiveEvent = z.object({
  type: z.string().max(64),
  reason: z.string().max(128),
  message: z.string().max(LIVE_EVENT_MESSAGE_MAX),
  count: z.number().int().min(1),
  lastTime: z.string().max(64).optional(),
});
export type TLiveEvent = z.infer<typeof ZLiveEvent>;

/**
 * A node whose children are nodes one level deeper, down to LIVE_TREE_DEPTH_MAX levels, where children must be
 * empty. Spelled out level by level instead of z.lazy, so the tree's depth is part of the schema and the OpenAPI
 * document needs no recursive reference.
 */
function liveNodeAt(level: number): z.ZodType<TLiveNode> {
  const children =
    level >= LIVE_TREE_DEPTH_MAX
      ? z.array(z.never()).max(0, `A tree has at most ${LIVE_TREE_DEPTH_MAX} levels.`)
      : z.array(liveNodeAt(level + 1)).max(LIVE_TREE_NODES_MAX);
  return z.object({
    apiVersion: name253,
    kind: name253,
    namespace: name253.optional(),
    name: name253,
    health: ZLiveHealth,
    inInventory: z.boolean(),
    pod: ZLivePod.optional(),
    sync: ZLiveSync.optional(),
    events: z.array(ZLiveEvent).max(LIVE_EVENTS_PER_OBJECT_MAX).optional(),
    children,
    omittedChildren: z.number().int().min(0).optional(),
  }) as z.ZodType<TLiveNode>;
}

export const ZLiveNode = liveNodeAt(1);

/** Nodes and levels of a tree (a level is a node with its parents), and the drifted fields and Events it carries. */
export function liveTreeSize(roots: readonly TLiveNode[]): {
  nodes: number;
  depth: number;
  syncFields: number;
  events: number;
} {
  let nodes = 0;
  let depth = 0;
  let syncFields = 0;
  let events = 0;
  const stack = roots.map((node) => ({ node, level: 1 }));
  for (let next = stack.pop(); next; next = stack.pop()) {
    nodes++;
    depth = Math.max(depth, next.level);
    syncFields += next.node.sync?.fields.length ?? 0;
    events += next.node.events?.length ?? 0;
    for (const child of next.node.children) stack.push({ node: child, level: next.level + 1 });
  }
  return { nodes, depth, syncFields, events };
}

export const ZLiveState = z
  .object({
    targetId: id,
    repoId: id,
    /** The revision id applied when the cluster was read; null before the first successful sync. */
    revisionId: z.string().max(1000).nullable(),
    /** The application's health: the worst of its inventory objects' (lib/kube/health.ts aggregateHealth). */
    health: ZLiveHealth,
    roots: z.array(ZLiveNode).max(LIVE_TREE_NODES_MAX),
    /** Nodes in `roots`, all levels. */
    nodeCount: z.number().int().min(0).max(LIVE_TREE_NODES_MAX),
    /** True when the tree's bounds left owned objects out (see each node's omittedChildren). */
    truncated: z.boolean(),
    observedAt: z.iso.datetime({ offset: true }),
  })
  .superRefine((state, ctx) => {
    const size = liveTreeSize(state.roots);
    if (size.nodes !== state.nodeCount)
      ctx.addIssue({
        code: "custom",
        path: ["nodeCount"],
        message: `nodeCount is ${state.nodeCount}, the tree has ${size.nodes} nodes`,
      });
    if (size.depth > LIVE_TREE_DEPTH_MAX)
      ctx.addIssue({
        code: "custom",
        path: ["roots"],
        message: `the tree has ${size.depth} levels; at most ${LIVE_TREE_DEPTH_MAX}`,
      });
    if (size.syncFields > LIVE_SYNC_FIELDS_TOTAL_MAX)
      ctx.addIssue({
        code: "custom",
        path: ["roots"],
        message: `the tree carries ${size.syncFields} drifted fields; at most ${LIVE_SYNC_FIELDS_TOTAL_MAX}`,
      });
    if (size.events > LIVE_EVENTS_MAX)
      ctx.addIssue({
        code: "custom",
        path: ["roots"],
        message: `the tree carries ${size.events} Events; at most ${LIVE_EVENTS_MAX}`,
      });
  });
export type TLiveState = z.infer<typeof ZLiveState>;

/** Body of `POST /api/agent/v1/live-state`: the latest state of some of the agent's applications, one entry each. */
export const ZLiveStateRequest = z.object({
  states: z.array(ZLiveState).min(1).max(LIVE_STATES_BATCH_MAX),
});
export type TLiveStateRequest = z.infer<typeof ZLiveStateRequest>;

export const ZLiveStateResponse = z.object({
  /** States stored because they differ from the application's last one. */
  changed: z.number().int().min(0),
  /** States identical to the last one (only its confirmation time moved). */
  unchanged: z.number().int().min(0),
  /** States of repositories Wharf no longer has or that have no application: nothing stored, safe to forget. */
  ignored: z.number().int().min(0),
});
export type TLiveStateResponse = z.infer<typeof ZLiveStateResponse>;
