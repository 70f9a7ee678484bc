import "server-only";
import type { Tx } from "@/lib/db";
import { AppError, type FieldErrors } from "@/lib/errors";
import { caBundleProblem } from "../ca-bundle";

/** 409 NAME_TAKEN with the field error the form shows under the name input. */
export function nameTakenError(name: string): AppError {
  return new AppError("NAME_TAKEN", `A target named "${name}" already exists.`, {
    fields: { name: [`A target named "${name}" already exists. Choose another name.`] },
  });
}

/**
 * The checks the shared schema cannot make: the CA bundle parses as X.509 (node:crypto) and the credential policy
 * exists. Throws one 422 listing every problem, before anything is written.
 */
export async function checkTargetReferences(
  tx: Tx,
  input: { caBundle?: string | null; credentialPolicyId?: string | null },
): Promise<void> {
  const fields: FieldErrors = {};
  if (input.caBundle) {
    const problem = caBundleProblem(input.caBundle);
    if (problem) fields.caBundle = [problem];
  }
  if (input.credentialPolicyId) {
    const policy = await tx.credentialPolicy.findUnique({
      where: { id: input.credentialPolicyId },
      select: { id: true },
    });
    if (!policy) fields.credentialPolicyId = ["No credential policy with this id exists."];
  }
  const first = Object.entries(fields)[0];
  if (first) throw new AppError("VALIDATION_FAILED", `${first[0]}: ${first[1][0]}`, { fields });
}
