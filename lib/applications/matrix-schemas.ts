import { z } from "zod";
import { ZMode } from "@/lib/targets/schemas";

export const MATRIX_LIMIT_DEFAULT = 50;
export const MATRIX_LIMIT_MAX = 100;

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const ZEnvironmentMatrixQuery = z.object({
  cursor: z.preprocess(emptyToUndefined, z.string().max(600).optional()),
  limit: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(MATRIX_LIMIT_MAX, `Ask for at most ${MATRIX_LIMIT_MAX} applications per page.`)
      .default(MATRIX_LIMIT_DEFAULT),
  ),
});
export type TEnvironmentMatrixQuery = z.output<typeof ZEnvironmentMatrixQuery>;

/**
 * What a cell's application last did: its newest deployment request (push) or approval/sync (pull), in one vocabulary
 * so both modes read alike. `syncing` covers approved, queued and running push requests and pull repositories that
 * are behind their branch; `cancelled` a request cancelled or superseded; `none` nothing requested or reported yet.
 */
export const MATRIX_RESULTS = [
  "succeeded",
  "failed",
  "syncing",
  "awaiting-approval",
  "drifted",
  "rejected",
  "cancelled",
  "none",
] as const;
export const ZMatrixResult = z.enum(MATRIX_RESULTS);
export type TMatrixResult = z.infer<typeof ZMatrixResult>;

export const ZMatrixRevision = z.object({
  /** The Git commit applied; null for pasted manifests. */
  commitSha: z.string().nullable(),
  /** Push: sha256 of the rendered manifests that were applied. Null for pull. */
  manifestsDigest: z.string().nullable(),
  /** Pull: the revision id the agent applied (`<sha>[+images]@<spec digest>`). Null for push. */
  revisionId: z.string().nullable(),
  /** Push: the deployment that made it live. */
  deploymentId: z.string().nullable(),
  /** When it became live: the deployment's finish (push) or the last sync (pull). */
  at: z.string().nullable(),
});
export type TMatrixRevision = z.output<typeof ZMatrixRevision>;

export const ZMatrixEntry = z.object({
  applicationId: z.string(),
  target: z.object({ id: z.string(), name: z.string() }),
  mode: ZMode,
  /** Null when nothing is live yet (no succeeded deployment; no sync reported). */
  revision: ZMatrixRevision.nullable(),
  result: z.object({ state: ZMatrixResult, at: z.string().nullable(), message: z.string().nullable() }),
  /** Pull only, as the agent last reported it (ApplicationLiveState); null for push and before the first report. */
  health: z.object({ status: z.string(), message: z.string().nullable(), observedAt: z.string() }).nullable(),
  /**
   * Whether the live revision differs from the nearest earlier environment holding this application (by commit, or
   * by rendered manifests digest when both are pushed manifests without a commit). Null when there is no earlier
   * environment, either side has nothing live, or the two cannot be compared.
   */
  differsFromPrevious: z.boolean().nullable(),
});
export type TMatrixEntry = z.output<typeof ZMatrixEntry>;

export const ZMatrixRow = z.object({
  name: z.string(),
  /** One list per column of `environments`, in that order; empty where the application is not in that environment. */
  cells: z.array(z.array(ZMatrixEntry)),
});
export type TMatrixRow = z.output<typeof ZMatrixRow>;

export const ZEnvironmentMatrix = z.object({
  /** Columns: WHARF_ENVIRONMENT_ORDER first, then the other environments of targets alphabetically. */
  environments: z.array(z.string()),
  rows: z.array(ZMatrixRow),
  nextCursor: z.string().nullable().describe("Opaque; pass back as `cursor` for the next page. Null on the last page."),
});
export type EnvironmentMatrix = z.output<typeof ZEnvironmentMatrix>;

/** Body of `POST /api/applications/:id/promote`: the target whose application of the same name receives the revision. */
export const ZPromoteInput = z.strictObject({
  to: z
    .string({ error: "Choose the target to promote to." })
    .trim()
    .min(1, "Choose the target to promote to.")
    .max(100),
  reason: z.string().trim().max(2000, "Use at most 2000 characters.").optional(),
});
export type TPromoteInput = z.output<typeof ZPromoteInput>;
