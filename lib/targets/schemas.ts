import { z } from "zod";
import { blankToUndefined, ZListCursor, ZPageLimit } from "@/lib/keyset-cursor";

/**
 * Deployment-target schemas, shared by the route handlers, the form in the browser and (later) the agent. Nothing here
 * touches Node APIs: the CA bundle's certificates are parsed on the server (lib/targets/ca-bundle.ts) because
 * `crypto.X509Certificate` does not exist in browsers.
 */

const DNS_LABEL_MAX = 63;

/** The first DNS-1123 label rule `value` breaks, phrased for a form, or null when it is a valid label. */
export function dnsLabelProblem(value: string): string | null {
  if (value.length === 0) return "Enter a value.";
  if (value.length > DNS_LABEL_MAX) return `Use at most ${DNS_LABEL_MAX} characters (this has ${value.length}).`;
  if (/[A-Z]/.test(value)) return "Use lower-case letters only.";
  if (/[^a-z0-9-]/.test(value)) return "Use only lower-case letters, digits and '-'.";
  if (!/^[a-z0-9]/.test(value)) return "Start with a letter or digit.";
  if (!/[a-z0-9]$/.test(value)) return "End with a letter or digit.";
  return null;
}

/** A DNS-1123 label (Kubernetes object and namespace names): `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters. */
export function dnsLabel(emptyMessage: string) {
  return z
    .string({ error: emptyMessage })
    .trim()
    .superRefine((value, ctx) => {
      const problem = value.length === 0 ? emptyMessage : dnsLabelProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/** A target's name: unique, and a DNS label so it can name Kubernetes objects (agent namespaces, labels). */
export const ZTargetName = dnsLabel("Enter a name.");
export const ZNamespaceName = dnsLabel("Enter a namespace.");

export const TARGET_MODES = ["push", "pull"] as const;
export const ZMode = z.enum(TARGET_MODES, { error: "Choose push or pull." });
export type TMode = z.infer<typeof ZMode>;

export const ZEnvironment = z
  .string({ error: "Enter an environment." })
  .trim()
  .min(1, "Enter an environment, e.g. dev, staging or prod.")
  .max(63, "Use at most 63 characters.");

export const ZServerUrl = z
  .string({ error: "Enter the cluster's API server URL." })
  .trim()
  .min(1, "Enter the cluster's API server URL.")
  .max(2048, "Use at most 2048 characters.")
  .superRefine((value, ctx) => {
    if (!value) return;
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      // "10.0.0.1:6443" and "cluster.example:6443" are the usual slips; WHATWG URL would misread the latter.
      ctx.addIssue({ code: "custom", message: "Start the URL with https:// (or http://)." });
      return;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL, e.g. https://10.0.0.1:6443." });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      ctx.addIssue({ code: "custom", message: "Use an https:// (or http://) URL." });
    } else if (url.username || url.password) {
      ctx.addIssue({
        code: "custom",
        message: "Do not put credentials in the URL; store them as the target's credential.",
      });
    } else if (url.search || url.hash) {
      ctx.addIssue({ code: "custom", message: "Remove the query string or fragment from the URL." });
    }
  });

/** Upper bound on a pasted CA bundle; real bundles are a few certificates of ~2 KiB each. */
export const CA_BUNDLE_MAX_CHARS = 64 * 1024;

/**
 * PEM text of one or more CA certificates. The shape is checked here; that each block parses as X.509 is checked on
 * the server. An empty string means "no CA bundle" (the form's empty textarea).
 */
export const ZCaBundle = z
  .string()
  .trim()
  .max(CA_BUNDLE_MAX_CHARS, "The CA bundle is larger than 64 KiB.")
  .refine(
    (v) => v === "" || v.includes("-----BEGIN CERTIFICATE-----"),
    "Paste PEM text starting with -----BEGIN CERTIFICATE-----.",
  )
  .transform((v) => (v === "" ? null : v));

export const ZAllowedNamespaces = z
  .array(ZNamespaceName)
  .max(100, "List at most 100 namespaces.")
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, ns] of list.entries()) {
      if (seen.has(ns)) ctx.addIssue({ code: "custom", message: `"${ns}" is listed twice.`, path: [i] });
      seen.add(ns);
    }
  });

export const REQUIRED_APPROVALS_MAX = 5;
export const ZRequiredApprovals = z
  .number({ error: "Enter a whole number from 0 to 5." })
  .int("Enter a whole number from 0 to 5.")
  .min(0, "Enter a whole number from 0 to 5.")
  .max(REQUIRED_APPROVALS_MAX, "At most 5 approvals can be required.");

export const ZOwnerTeam = z.string().trim().max(100, "Use at most 100 characters.");

/** Who may approve: approvers (and admins), or admins only. Deployers and viewers never approve. */
export const APPROVER_ROLES = ["approver", "admin"] as const;
export const ZApproverRole = z.enum(APPROVER_ROLES, { error: "Choose approvers or admins." });

export const APPROVAL_TTL_HOURS_MAX = 24 * 30;
export const ZApprovalTtlHours = z
  .number({ error: "Enter a whole number of hours from 1 to 720." })
  .int("Enter a whole number of hours from 1 to 720.")
  .min(1, "Enter a whole number of hours from 1 to 720.")
  .max(APPROVAL_TTL_HOURS_MAX, "Approvals can stay valid for at most 720 hours (30 days).");

/** Environments whose targets require one approval unless the admin says otherwise. */
export const PRODUCTION_ENVIRONMENTS = ["prod", "production"] as const;

/** The approval rule a new target gets when its creator does not set one: 1 for production, else 0. */
export function defaultRequiredApprovals(environment: string): number {
  return (PRODUCTION_ENVIRONMENTS as readonly string[]).includes(environment.trim().toLowerCase()) ? 1 : 0;
}

/** Bounds of a push target's background live-state read interval: not more often than twice a minute, at least daily. */
export const STATUS_READ_INTERVAL_MIN_SECONDS = 30;
export const STATUS_READ_INTERVAL_MAX_SECONDS = 86_400;
/** The interval a new non-production push target starts with. */
export const STATUS_READ_INTERVAL_DEFAULT_SECONDS = 300;
const STATUS_READ_INTERVAL_MESSAGE = "Enter a whole number of seconds from 30 to 86400, or leave it empty for off.";
export const ZStatusReadIntervalSeconds = z
  .number({ error: STATUS_READ_INTERVAL_MESSAGE })
  .int(STATUS_READ_INTERVAL_MESSAGE)
  .min(STATUS_READ_INTERVAL_MIN_SECONDS, STATUS_READ_INTERVAL_MESSAGE)
  .max(STATUS_READ_INTERVAL_MAX_SECONDS, STATUS_READ_INTERVAL_MESSAGE)
  .nullable();

/**
 * The background live-state read interval a new target gets when its creator does not set one: off (null) for pull
 * (its agent reports) and for production push targets (each read decrypts the credential, so reading a production
 * cluster with nobody looking is opt-in), 300 s for other push targets.
 */
export function defaultStatusReadIntervalSeconds(environment: string, mode: TMode): number | null {
  if (mode !== "push") return null;
  return (PRODUCTION_ENVIRONMENTS as readonly string[]).includes(environment.trim().toLowerCase())
    ? null
    : STATUS_READ_INTERVAL_DEFAULT_SECONDS;
}

const targetFields = {
  name: ZTargetName,
  environment: ZEnvironment,
  mode: ZMode,
  serverUrl: ZServerUrl,
  caBundle: ZCaBundle.nullable().optional(),
  insecureSkipTlsVerify: z.boolean().optional(),
  defaultNamespace: ZNamespaceName.optional(),
  allowedNamespaces: ZAllowedNamespaces.optional(),
  allowClusterScoped: z.boolean().optional(),
  /** Omitted: the service applies `defaultRequiredApprovals(environment)`. */
  requiredApprovals: ZRequiredApprovals.optional(),
  approverRole: ZApproverRole.optional(),
  /** The requester may not approve their own request (default true). */
  banRequester: z.boolean().optional(),
  /** The author of the deployed Git commit, matched by email, may not approve it (default true). */
  banCommitAuthor: z.boolean().optional(),
  /** API tokens may approve (default false, so a pipeline cannot approve its own work). */
  allowTokenApprovals: z.boolean().optional(),
  approvalTtlHours: ZApprovalTtlHours.optional(),
  ownerTeam: ZOwnerTeam.optional(),
  credentialPolicyId: z.string().trim().max(100).nullable().optional(),
  /**
   * Push: seconds between background reads of its applications' live state with its credential (each an audited
   * credential use); null: only while someone looks. Omitted on create: `defaultStatusReadIntervalSeconds`.
   */
  statusReadIntervalSeconds: ZStatusReadIntervalSeconds.optional(),
};

/** The namespace rules a whole target must satisfy, whether created or assembled from a patch. */
export interface NamespaceRuleInput {
  defaultNamespace: string;
  allowedNamespaces: string[];
}

/** Cross-field rule: with an explicit allow-list, the default namespace must be on it, or nothing could deploy there. */
export function namespaceRuleProblem(t: NamespaceRuleInput): string | null {
  if (t.allowedNamespaces.length > 0 && !t.allowedNamespaces.includes(t.defaultNamespace)) {
    return `Include the default namespace "${t.defaultNamespace}" or leave the list empty (default namespace only).`;
  }
  return null;
}

export const ZCreateTarget = z.strictObject(targetFields).superRefine((t, ctx) => {
  const problem = namespaceRuleProblem({
    defaultNamespace: t.defaultNamespace ?? "default",
    allowedNamespaces: t.allowedNamespaces ?? [],
  });
  if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["allowedNamespaces"] });
});
export type TCreateTarget = z.output<typeof ZCreateTarget>;
/** What the form sends: the schema's input side (caBundle may be "" for none). */
export type TCreateTargetInput = z.input<typeof ZCreateTarget>;

/**
 * A patch of a target. Every field is optional, including `name`: a target may be renamed (its id is what other
 * records point at, so history and credentials follow the rename; the new name must be free). `caBundle` and
 * `credentialPolicyId` accept null (or "" for the CA bundle) to clear them. The namespace rule is checked by the
 * service against the merged result.
 */
export const ZUpdateTarget = z.strictObject(targetFields).partial();
export type TUpdateTarget = z.output<typeof ZUpdateTarget>;
export type TUpdateTargetInput = z.input<typeof ZUpdateTarget>;

const emptyToUndefined = blankToUndefined;

export const TARGET_LIST_LIMIT_DEFAULT = 25;
export const TARGET_LIST_LIMIT_MAX = 100;

/** Query of the targets list; every value arrives as a string from the URL, and an empty value means "no filter". */
export const ZTargetListQuery = z.object({
  q: z.preprocess(emptyToUndefined, z.string().trim().max(100, "Search for at most 100 characters.").optional()),
  mode: z.preprocess(emptyToUndefined, ZMode.optional()),
  environment: z.preprocess(emptyToUndefined, z.string().trim().max(63).optional()),
  /** `include`: deleted (archived) targets too, marked; without it the list shows live targets only. */
  deleted: z.preprocess(emptyToUndefined, z.enum(["include"]).optional()),
  cursor: ZListCursor(600),
  limit: ZPageLimit({ max: TARGET_LIST_LIMIT_MAX, default: TARGET_LIST_LIMIT_DEFAULT, noun: "targets" }),
});
export type TTargetListQuery = z.output<typeof ZTargetListQuery>;
/** The filter part of a list query (no cursor): what the list's query key and URL carry. */
export type TTargetListFilter = Pick<TTargetListQuery, "q" | "mode" | "environment" | "deleted" | "limit">;

/** When a deleted (archived) target or application was deleted and by whom; views carry null while it is live. */
export const ZArchived = z
  .object({ at: z.iso.datetime(), byName: z.string().nullable() })
  .describe("Set once it was deleted: it is archived, its history stays readable and nothing runs on it.");
export type Archived = z.output<typeof ZArchived>;

/** A target as routes return it and pages show it. Dates are ISO strings so it crosses the server/client boundary. */
export const ZTargetView = z.object({
  id: z.string(),
  name: z.string(),
  environment: z.string(),
  mode: ZMode,
  serverUrl: z.string(),
  caBundle: z.string().nullable(),
  insecureSkipTlsVerify: z.boolean(),
  defaultNamespace: z.string(),
  allowedNamespaces: z.array(z.string()),
  allowClusterScoped: z.boolean(),
  requiredApprovals: z.number().int(),
  approverRole: ZApproverRole,
  banRequester: z.boolean(),
  banCommitAuthor: z.boolean(),
  allowTokenApprovals: z.boolean(),
  approvalTtlHours: z.number().int(),
  ownerTeam: z.string(),
  /** Push: seconds between background live-state reads; null when they happen only while someone looks. */
  statusReadIntervalSeconds: z.number().int().nullable(),
  credentialPolicy: z.object({ id: z.string(), name: z.string() }).nullable(),
  archived: ZArchived.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TargetView = z.output<typeof ZTargetView>;

/** A row of the targets list: the view without the (possibly large) CA bundle. */
export const ZTargetListItem = ZTargetView.omit({ caBundle: true }).extend({ hasCaBundle: z.boolean() });
export type TargetListItem = z.output<typeof ZTargetListItem>;

export const ZTargetListPage = z.object({
  items: z.array(ZTargetListItem),
  nextCursor: z.string().nullable().describe("Opaque; pass back as `cursor` for the next page. Null on the last page."),
});
export type TargetListPage = z.output<typeof ZTargetListPage>;

export interface TargetModeCounts {
  push: number;
  pull: number;
}

/** What `describeApprovalRule` reads; a bare number describes only the count. */
export interface ApprovalRuleFields {
  requiredApprovals: number;
  approverRole?: "approver" | "admin";
  banRequester?: boolean;
  banCommitAuthor?: boolean;
  allowTokenApprovals?: boolean;
  approvalTtlHours?: number;
}

/**
 * A human sentence for a target's approval rule: "Deploys need 2 approvals from approvers or admins; the requester
 * and the commit author may not approve; approvals expire after 24 h".
 */
export function describeApprovalRule(rule: number | ApprovalRuleFields): string {
  const r = typeof rule === "number" ? { requiredApprovals: rule } : rule;
  if (r.requiredApprovals === 0) return "Deploys need no approval";
  const parts = [`Deploys need ${r.requiredApprovals} approval${r.requiredApprovals === 1 ? "" : "s"}`];
  if (r.approverRole) parts[0] += r.approverRole === "admin" ? " from admins" : " from approvers or admins";
  if (typeof rule === "number") return parts[0]!;
  const bans = [r.banRequester ? "the requester" : null, r.banCommitAuthor ? "the commit author" : null].filter(
    Boolean,
  );
  if (bans.length) parts.push(`${bans.join(" and ")} may not approve`);
  if (r.allowTokenApprovals) parts.push("API tokens may approve");
  if (r.approvalTtlHours) parts.push(`approvals expire after ${r.approvalTtlHours} h`);
  return parts.join("; ");
}
