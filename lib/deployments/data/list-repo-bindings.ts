import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { toRepoBindingView, type RepoBindingView } from "../webhooks";

/** What a binding's view reads of its application: its name, and its Git source when the binding follows it. */
export const BINDING_APPLICATION = {
  select: { id: true, name: true, repoUrl: true, ref: true, path: true },
} as const;

/** The URL a Git host must POST push events to. */
export function webhookUrl(): string {
  return `${env().publicUrl}/api/webhooks/git`;
}

/**
 * A target's repository bindings, newest first, each with the source it deploys now (its application's, when it
 * follows one). NOT_FOUND when the target does not exist.
 */
export async function listRepoBindings(opts: {
  targetId: string;
}): Promise<{ bindings: RepoBindingView[]; webhookUrl: string }> {
  const target = await db().target.findUnique({ where: { id: opts.targetId }, select: { id: true } });
  if (!target) throw new AppError("NOT_FOUND", "There is no target with this id.");
  const rows = await db().repoBinding.findMany({
    where: { targetId: opts.targetId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: { application: BINDING_APPLICATION },
  });
  return { bindings: rows.map(toRepoBindingView), webhookUrl: webhookUrl() };
}
