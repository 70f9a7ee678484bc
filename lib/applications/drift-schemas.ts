import { z } from "zod";
import { ZObjectRef } from "@/lib/agent/protocol";
import { blankToUndefined, INSTANT_DOC, refineRange, ZListCursor, ZPageLimit } from "@/lib/keyset-cursor";

/**
 * The drift push status reads found, across applications (PushDriftEvent): the rows behind the comparison's push
 * "drift detected" figure, as the sync history filtered to drift is for pull. Plain module: route, page and links.
 */

export const PUSH_DRIFT_LIMIT_DEFAULT = 25;
export const PUSH_DRIFT_LIMIT_MAX = 100;

/** Query of `GET /api/applications/drift`; values arrive as strings from the URL, an empty one means "no filter". */
export const ZPushDriftListQuery = z
  .object({
    targetId: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
    applicationId: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
    environment: z
      .preprocess(blankToUndefined, z.string().trim().max(100).optional())
      .describe("The target's environment when the drift was recorded (as the comparison counts it)."),
    from: z
      .preprocess(blankToUndefined, z.coerce.date().optional())
      .meta({ ...INSTANT_DOC, description: "Inclusive lower bound on occurredAt (ISO 8601)." }),
    to: z
      .preprocess(blankToUndefined, z.coerce.date().optional())
      .meta({ ...INSTANT_DOC, description: "Exclusive upper bound on occurredAt (ISO 8601); must be after `from`." }),
    cursor: ZListCursor(300),
    limit: ZPageLimit({ max: PUSH_DRIFT_LIMIT_MAX, default: PUSH_DRIFT_LIMIT_DEFAULT, noun: "events" }),
  })
  .superRefine(refineRange);
export type TPushDriftListQuery = z.output<typeof ZPushDriftListQuery>;

/** A list link's filter: the query without its cursor, instants as ISO strings. */
export interface TPushDriftFilter {
  targetId?: string | undefined;
  applicationId?: string | undefined;
  environment?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
}

/** The query string of a filter (and cursor): the page's URL and the API's query for the same rows. */
export function pushDriftSearch(f: TPushDriftFilter, cursor?: string | null): string {
  const params = new URLSearchParams();
  for (const key of ["targetId", "applicationId", "environment", "from", "to"] as const) {
    const v = f[key];
    if (v) params.set(key, v);
  }
  if (f.limit && f.limit !== PUSH_DRIFT_LIMIT_DEFAULT) params.set("limit", String(f.limit));
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

export const ZPushDriftField = z.object({
  path: z.string(),
  applied: z.string().nullable().describe("What Wharf applied; null when Wharf does not set the field."),
  live: z.string().nullable().describe("What the cluster had; null when the field was removed."),
  manager: z.string().nullable().describe("The field manager that owns the live value: who changed it."),
});

export const ZPushDriftEventView = z.object({
  id: z.string(),
  occurredAt: z.iso.datetime(),
  application: z.object({ id: z.string(), name: z.string().nullable() }),
  target: z.object({ id: z.string(), name: z.string().nullable() }),
  environment: z.string().nullable().describe("The target's environment when the drift was recorded."),
  deploymentId: z.string().describe("The succeeded deployment the cluster was compared with."),
  message: z.string(),
  managers: z.array(z.string()).describe("The field managers that made the drift, in the order first met."),
  objects: z.array(
    z.object({
      ref: ZObjectRef,
      fields: z.array(ZPushDriftField),
      note: z.string().nullable().describe("Why there are no values: e.g. the object is missing from the cluster."),
      omittedFields: z.number().int(),
    }),
  ),
  truncated: z.boolean().describe("The read kept only the first objects or fields."),
});
export type PushDriftEventView = z.output<typeof ZPushDriftEventView>;

export const ZPushDriftEventPage = z.object({ items: z.array(ZPushDriftEventView), nextCursor: z.string().nullable() });
export type PushDriftEventPage = z.output<typeof ZPushDriftEventPage>;
