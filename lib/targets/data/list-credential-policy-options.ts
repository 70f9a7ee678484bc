import "server-only";
import { db } from "@/lib/db";

/** Id and name of every credential policy, for the target form's policy picker. */
export async function listCredentialPolicyOptions(): Promise<{ id: string; name: string }[]> {
  return db().credentialPolicy.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
}
