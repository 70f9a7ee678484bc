import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/errors";
import {
  defaultRequiredApprovals,
  defaultStatusReadIntervalSeconds,
  type TargetView,
  type TCreateTarget,
} from "../schemas";
import { checkTargetReferences, nameTakenError } from "./check-target-input";
import { TARGET_INCLUDE, toTargetView } from "./to-target-view";

export interface CreateTargetOptions {
  /** Already parsed with `ZCreateTarget`. */
  input: TCreateTarget;
  actor: Actor;
  request: RequestContext;
}

/**
 * Registers a target and writes `target.created` in the same transaction, so a failed create (422, 409, crash)
 * leaves neither a target nor an audit row. Without `requiredApprovals`, production environments get 1, others 0;
 * without `statusReadIntervalSeconds`, production and pull targets read no live state in the background.
 */
export async function createTarget({ input, actor, request }: CreateTargetOptions): Promise<TargetView> {
  try {
    return await db().$transaction(async (tx) => {
      await checkTargetReferences(tx, input);
      const taken = await tx.target.findUnique({
        where: { name_archivedKey: { name: input.name, archivedKey: "" } },
        select: { id: true },
      });
      if (taken) throw nameTakenError(input.name);
      const requiredApprovals = input.requiredApprovals ?? defaultRequiredApprovals(input.environment);
      const row = await tx.target.create({
        data: {
          name: input.name,
          environment: input.environment,
          mode: input.mode,
          serverUrl: input.serverUrl,
          caBundle: input.caBundle ?? null,
          insecureSkipTlsVerify: input.insecureSkipTlsVerify ?? false,
          defaultNamespace: input.defaultNamespace ?? "default",
          allowedNamespaces: JSON.stringify(input.allowedNamespaces ?? []),
          allowClusterScoped: input.allowClusterScoped ?? false,
          requiredApprovals,
          approverRole: input.approverRole ?? "approver",
          banRequester: input.banRequester ?? true,
          banCommitAuthor: input.banCommitAuthor ?? true,
          allowTokenApprovals: input.allowTokenApprovals ?? false,
          approvalTtlHours: input.approvalTtlHours ?? 24,
          ownerTeam: input.ownerTeam ?? "",
          credentialPolicyId: input.credentialPolicyId || null,
          statusReadIntervalSeconds:
            input.statusReadIntervalSeconds !== undefined
              ? input.statusReadIntervalSeconds
              : defaultStatusReadIntervalSeconds(input.environment, input.mode),
        },
        include: TARGET_INCLUDE,
      });
      await recordAuditEvent(tx, {
        actor,
        action: "target.created",
        subjectType: "target",
        subjectId: row.id,
        targetId: row.id,
        details: { name: row.name, mode: row.mode, environment: row.environment, requiredApprovals },
        request,
      });
      return toTargetView(row);
    });
  } catch (err) {
    // Two creates racing past the check: the unique index decides, and the loser gets the same answer.
    if (isUniqueViolation(err)) throw nameTakenError(input.name);
    throw err;
  }
}
