import { z } from "zod";
import { ZCredentialStatusCounts, ZCredentialView } from "@/lib/credentials/schemas";

export {
  ZCredentialListFilter as ZRotationListFilter,
  type TCredentialListFilter as TRotationListFilter,
} from "@/lib/credentials/schemas";

/** One row of the rotation page: an active credential with its age, measured on the server's clock. */
export const ZRotationOverviewItem = ZCredentialView.extend({
  ageMs: z
    .number()
    .describe("Time since the credential was last stored, replaced or rotated — what a policy's max age limits."),
});
export type RotationOverviewItem = z.output<typeof ZRotationOverviewItem>;

export const ZRotationOverviewPage = z.object({
  items: z.array(ZRotationOverviewItem),
  nextCursor: z.string().nullable(),
  counts: ZCredentialStatusCounts,
  now: z.iso
    .datetime()
    .describe("The instant ages and statuses were computed at, so the page renders the same on server and client."),
});
export type RotationOverviewPage = z.output<typeof ZRotationOverviewPage>;
