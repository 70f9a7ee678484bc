import type { CredentialStatusCounts, CredentialView } from "@/lib/credentials/schemas";

export {
  ZCredentialListFilter as ZRotationListFilter,
  type TCredentialListFilter as TRotationListFilter,
} from "@/lib/credentials/schemas";

/** One row of the rotation page: an active credential with its age, measured on the server's clock. */
export interface RotationOverviewItem extends CredentialView {
  /** Time since the credential was last stored, replaced or rotated — what a policy's max age limits. */
  ageMs: number;
}

export interface RotationOverviewPage {
  items: RotationOverviewItem[];
  nextCursor: string | null;
  counts: CredentialStatusCounts;
  /** The instant ages and statuses were computed at, so the page renders the same on server and client. */
  now: string;
}
