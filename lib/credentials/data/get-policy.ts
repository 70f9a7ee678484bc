import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { CredentialPolicyView } from "../schemas";
import { withTargetCounts } from "./list-policies";

/** One policy with its explicit-target count. */
export async function getPolicy(opts: { id: string }): Promise<CredentialPolicyView> {
  const row = await db().credentialPolicy.findUnique({ where: { id: opts.id } });
  if (!row) throw new AppError("NOT_FOUND", "There is no credential policy with this id.");
  const [view] = await withTargetCounts([row]);
  return view!;
}

/** The policy governing one target (explicit, else by environment, else null). */
export async function resolvePolicyForTarget(opts: { targetId: string }): Promise<CredentialPolicyView | null> {
  const target = await db().target.findUnique({
    where: { id: opts.targetId },
    select: { credentialPolicyId: true, environment: true },
  });
  if (!target) throw new AppError("NOT_FOUND", "There is no target with this id.");
  if (target.credentialPolicyId) {
    const explicit = await db().credentialPolicy.findUnique({ where: { id: target.credentialPolicyId } });
    if (explicit) return (await withTargetCounts([explicit]))[0]!;
  }
  const byEnv = await db().credentialPolicy.findFirst({ where: { environment: target.environment } });
  return byEnv ? (await withTargetCounts([byEnv]))[0]! : null;
}
