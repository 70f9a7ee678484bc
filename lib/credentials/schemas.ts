import { z } from "zod";
import { can, ZRole } from "@/lib/auth/roles";
import { ZEnvironment, ZMode, ZTargetName, type TMode } from "@/lib/targets/schemas";

/** Kinds of cluster credential a push target can hold. */
export const CREDENTIAL_KINDS = ["bearer-token", "service-account-token", "client-certificate"] as const;
export const ZCredentialKind = z.enum(CREDENTIAL_KINDS);
export type TCredentialKind = z.infer<typeof ZCredentialKind>;

export const CREDENTIAL_KIND_LABELS: Record<TCredentialKind, string> = {
  "bearer-token": "Bearer token",
  "service-account-token": "Service account token",
  "client-certificate": "Client certificate",
};

/** `active` is the one credential in use for a target; `superseded` rows are its history (metadata only is shown). */
export const CREDENTIAL_STATES = ["active", "superseded"] as const;
export const ZCredentialState = z.enum(CREDENTIAL_STATES);
export type TCredentialState = z.infer<typeof ZCredentialState>;

/** How a credential came to be: stored first, replaced by a person (manual rotation), or rotated by Wharf (TokenRequest). */
export const CREDENTIAL_ORIGINS = ["stored", "replaced", "rotated"] as const;
export const ZCredentialOrigin = z.enum(CREDENTIAL_ORIGINS);
export type TCredentialOrigin = z.infer<typeof ZCredentialOrigin>;

/** `rotation-failed`: the last automatic rotation failed (the stored credential still works until it expires). */
export const ROTATION_STATUSES = ["ok", "due-soon", "rotation-failed", "overdue", "expired"] as const;
export const ZRotationStatus = z.enum(ROTATION_STATUSES);
export type TRotationStatus = z.infer<typeof ZRotationStatus>;

const MAX_TOKEN_CHARS = 16 * 1024;
const MAX_PEM_CHARS = 64 * 1024;
export const MAX_LABEL_CHARS = 100;

/** The label a credential gets when none is given: "<target name> <kind>", cut to the column's limit. */
export function defaultCredentialLabel(targetName: string, kind: string): string {
  return `${targetName} ${kind}`.slice(0, MAX_LABEL_CHARS);
}

/**
 * What a person pastes to store or replace a credential. Messages never echo the value: zod's messages name the
 * rule only, and material.ts checks the content.
 */
/** A credential's label as a person gives it; empty or absent means the default, "<target name> <kind>". */
export const ZCredentialLabel = z
  .string()
  .trim()
  .max(MAX_LABEL_CHARS, `At most ${MAX_LABEL_CHARS} characters.`)
  .optional();

export const ZStoreCredential = z.discriminatedUnion("kind", [
  z.object({
    kind: z.enum(["bearer-token", "service-account-token"]),
    label: ZCredentialLabel,
    token: z
      .string()
      .trim()
      .min(1, "Paste the token.")
      .max(MAX_TOKEN_CHARS, "A token longer than 16 KiB is not a token."),
  }),
  z.object({
    kind: z.literal("client-certificate"),
    label: ZCredentialLabel,
    certPem: z
      .string()
      .trim()
      .min(1, "Paste the PEM certificate.")
      .max(MAX_PEM_CHARS, "The certificate is larger than 64 KiB."),
    keyPem: z
      .string()
      .trim()
      .min(1, "Paste the PEM private key.")
      .max(MAX_PEM_CHARS, "The private key is larger than 64 KiB."),
  }),
]);
export type TStoreCredential = z.infer<typeof ZStoreCredential>;

const policyFields = {
  name: z.string().trim().min(1, "Give the policy a name.").max(100, "At most 100 characters."),
  maxAgeDays: z.coerce.number().int("Whole days.").min(1, "At least 1 day.").max(3650, "At most 3650 days (10 years)."),
  warnBeforeDays: z.coerce.number().int("Whole days.").min(0, "Cannot be negative.").max(3649, "At most 3649 days."),
  minReplaceRole: ZRole.refine(
    (r) => can(r, "credentials.replace"),
    "Viewers can never replace credentials: choose deployer, approver or admin.",
  ),
  autoRotate: z.boolean(),
  /** Targets of this environment without a policy of their own use this policy; empty/null means explicit use only. */
  environment: z
    .string()
    .trim()
    .max(63, "At most 63 characters.")
    .nullable()
    .transform((v) => (v ? v : null)),
};

function warnBeforeBelowMaxAge(p: { maxAgeDays?: number; warnBeforeDays?: number }, ctx: z.RefinementCtx) {
  if (p.maxAgeDays !== undefined && p.warnBeforeDays !== undefined && p.warnBeforeDays >= p.maxAgeDays) {
    ctx.addIssue({ code: "custom", path: ["warnBeforeDays"], message: "Must be less than the maximum age." });
  }
}

export const ZCredentialPolicy = z
  .object({
    ...policyFields,
    minReplaceRole: policyFields.minReplaceRole.default("admin"),
    autoRotate: policyFields.autoRotate.default(false),
    environment: policyFields.environment.optional().transform((v) => v ?? null),
  })
  .superRefine(warnBeforeBelowMaxAge);
export type TCredentialPolicy = z.infer<typeof ZCredentialPolicy>;
export type TCredentialPolicyInput = z.input<typeof ZCredentialPolicy>;

/**
 * PATCH body: any subset, no defaults (a missing field is left as it is; `environment: null` clears it). The
 * warn-before rule is checked again against the stored values by the data function.
 */
export const ZUpdateCredentialPolicy = z
  .object({
    name: policyFields.name.optional(),
    maxAgeDays: policyFields.maxAgeDays.optional(),
    warnBeforeDays: policyFields.warnBeforeDays.optional(),
    minReplaceRole: policyFields.minReplaceRole.optional(),
    autoRotate: policyFields.autoRotate.optional(),
    environment: policyFields.environment.optional(),
  })
  .superRefine(warnBeforeBelowMaxAge);
export type TUpdateCredentialPolicy = z.infer<typeof ZUpdateCredentialPolicy>;

/** Imported targets follow the same rules as targets created in the form (lib/targets/schemas.ts). */
export const ZTargetMode = ZMode;
export type TTargetMode = TMode;

const MAX_KUBECONFIG_CHARS = 1024 * 1024;

export const ZImportContext = z.object({
  /** The context's name in the kubeconfig. */
  context: z.string().min(1).max(253),
  /** The target's name; defaults to one derived from the context name. */
  name: ZTargetName.optional(),
  mode: ZMode,
  environment: ZEnvironment,
});
export type TImportContext = z.infer<typeof ZImportContext>;

/**
 * POST /api/targets/import. With `dryRun` the answer is a preview of the contexts (no secrets); otherwise every
 * selected context becomes a target, all or nothing.
 */
export const ZKubeconfigImport = z
  .object({
    kubeconfig: z
      .string()
      .min(1, "Paste a kubeconfig.")
      .max(MAX_KUBECONFIG_CHARS, "A kubeconfig larger than 1 MiB is not accepted."),
    dryRun: z.boolean().default(false),
    contexts: z.array(ZImportContext).max(200).default([]),
  })
  .superRefine((v, ctx) => {
    if (v.dryRun) return;
    if (v.contexts.length === 0)
      ctx.addIssue({ code: "custom", path: ["contexts"], message: "Pick at least one context." });
    const seen = new Set<string>();
    v.contexts.forEach((c, i) => {
      if (seen.has(c.context))
        ctx.addIssue({ code: "custom", path: ["contexts", i, "context"], message: "This context is selected twice." });
      seen.add(c.context);
    });
  });
export type TKubeconfigImport = z.infer<typeof ZKubeconfigImport>;

export const ZCredentialListFilter = z.object({
  status: ZRotationStatus.optional(),
  targetId: z.string().max(100).optional(),
  /** Opaque (lib/credentials/cursor.ts): the previous page's `nextCursor`. */
  cursor: z.string().max(600).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TCredentialListFilter = z.infer<typeof ZCredentialListFilter>;

/** What pages and API answers show of a credential. There is deliberately no field for material or ciphertext. */
export const ZCredentialView = z.object({
  id: z.string(),
  targetId: z.string(),
  targetName: z.string(),
  label: z.string().describe('What the credential is called: given on store or replace, else "<target name> <kind>".'),
  clusterAdmin: z
    .boolean()
    .nullable()
    .describe(
      "The last successful cluster-admin check's verdict (SelfSubjectRulesReview: `*` verbs on `*` resources in `*` groups); null when never checked.",
    ),
  kind: ZCredentialKind,
  state: ZCredentialState,
  fingerprint: z.string(),
  subject: z.string().nullable(),
  keyId: z.string(),
  issuedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  lastRotatedAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  supersededAt: z.iso.datetime().nullable(),
  supersededById: z.string().nullable(),
  status: ZRotationStatus.nullable().describe("Rotation status for the active credential; null for history rows."),
  nextRotationDue: z.iso.datetime().nullable(),
  policyName: z.string().nullable(),
  origin: ZCredentialOrigin,
  rotationError: z
    .string()
    .nullable()
    .describe("The API server's message from the last failed automatic rotation; null once a rotation succeeds."),
  rotationFailedAt: z.iso.datetime().nullable(),
  rotationAttempts: z.number().int(),
  nextRotationAttemptAt: z.iso
    .datetime()
    .nullable()
    .describe("Automatic rotation does not retry before this instant (capped exponential backoff after failures)."),
  autoRotate: z
    .boolean()
    .describe("Whether Wharf rotates this credential by itself (a service account token under an autoRotate policy)."),
  policyMaxAgeDays: z.number().int().nullable(),
  nextRotationAt: z.iso
    .datetime()
    .nullable()
    .describe(
      "When the credential should next be rotated: for automatic rotation the earlier of max age and 80 % of the token's lifetime, otherwise last rotation + max age; null without a policy. Active credentials only.",
    ),
});
export type CredentialView = z.output<typeof ZCredentialView>;

/** Query of `GET /api/policies`: by name (unique), keyset-paginated. */
export const ZCredentialPolicyListQuery = z.object({
  /** Opaque (lib/keyset-cursor.ts): the previous page's `nextCursor`. */
  cursor: z.string().max(600).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TCredentialPolicyListQuery = z.infer<typeof ZCredentialPolicyListQuery>;

export const ZCredentialPolicyView = z.object({
  id: z.string(),
  name: z.string(),
  maxAgeDays: z.number().int(),
  warnBeforeDays: z.number().int(),
  minReplaceRole: ZRole,
  autoRotate: z.boolean(),
  environment: z.string().nullable(),
  explicitTargets: z.number().int().describe("Targets that name this policy explicitly."),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CredentialPolicyView = z.output<typeof ZCredentialPolicyView>;

export const ZCredentialPolicyPage = z.object({
  items: z.array(ZCredentialPolicyView),
  nextCursor: z.string().nullable().describe("Pass back as `cursor` for the next page; null on the last one."),
});
export type CredentialPolicyPage = z.output<typeof ZCredentialPolicyPage>;

export const ZTargetCredentialsView = z.object({
  targetId: z.string(),
  targetName: z.string(),
  mode: ZMode,
  active: ZCredentialView.nullable(),
  history: z.array(ZCredentialView),
  policy: ZCredentialPolicyView.nullable(),
});
export type TargetCredentialsView = z.output<typeof ZTargetCredentialsView>;

export const ZCredentialStatusCounts = z.object({
  ok: z.number().int(),
  dueSoon: z.number().int(),
  rotationFailed: z.number().int(),
  overdue: z.number().int(),
  expired: z.number().int(),
});
export type CredentialStatusCounts = z.output<typeof ZCredentialStatusCounts>;

export const ZCredentialListPage = z.object({
  items: z.array(ZCredentialView),
  nextCursor: z.string().nullable(),
  counts: ZCredentialStatusCounts,
});
export type CredentialListPage = z.output<typeof ZCredentialListPage>;

/** A kubeconfig context as the import preview shows it: where it points and what would be imported, never secrets. */
export const ZKubeconfigContextPreview = z.object({
  context: z.string(),
  suggestedName: z.string(),
  cluster: z.string().nullable(),
  user: z.string().nullable(),
  server: z.string().nullable(),
  namespace: z.string(),
  hasCaBundle: z.boolean(),
  insecureSkipTlsVerify: z.boolean(),
  credential: z
    .object({
      kind: ZCredentialKind,
      fingerprint: z.string(),
      subject: z.string().nullable(),
      expiresAt: z.string().nullable(),
      label: z.string().describe('The label the credential would get: "<suggested name> <kind>".'),
    })
    .nullable(),
  clusterAdmin: z
    .boolean()
    .nullable()
    .describe(
      "The cluster-admin check of this context's credential, asked before anything is stored (a SelfSubjectRulesReview with the context's own credential): true = it can do anything in the cluster, false = narrower, null = not asked (no credential) or the cluster did not answer (see scopeCheckError).",
    ),
  scopeCheckError: z.string().nullable(),
  credentialNote: z
    .string()
    .nullable()
    .describe("Why no credential would be imported (exec plugin, file paths…); null when one would be."),
  problems: z.array(z.string()).describe("Problems that stop this context from becoming a target at all."),
  nameTaken: z.boolean(),
  isCurrent: z.boolean(),
});
export type KubeconfigContextPreview = z.output<typeof ZKubeconfigContextPreview>;

/** The answer of POST /api/targets/import with `dryRun: true`. Nothing is stored. */
export const ZKubeconfigPreview = z.object({ contexts: z.array(ZKubeconfigContextPreview) });
export type KubeconfigPreview = z.output<typeof ZKubeconfigPreview>;

/** The answer of POST /api/targets/import without `dryRun`: the targets created (with their credential, push only). */
export const ZImportResult = z.object({
  targets: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      mode: ZTargetMode,
      environment: z.string(),
      credentialId: z.string().nullable(),
    }),
  ),
});
export type ImportResult = z.output<typeof ZImportResult>;
