import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { lockStatusColumns, recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { namespaceRuleProblem, type TargetView, type TUpdateTarget } from "../schemas";
import { checkTargetReferences, nameTakenError } from "./check-target-input";
import { assertTargetLive } from "../live";
import { getTargetRow } from "./get-target";
import { parseAllowedNamespaces, TARGET_INCLUDE, toTargetView, type TargetRow } from "./to-target-view";

export interface UpdateTargetOptions {
  id: string;
  /** Already parsed with `ZUpdateTarget`; omitted fields stay as they are. */
  patch: TUpdateTarget;
  actor: Actor;
  request: RequestContext;
}

type Comparable = string | number | boolean | null;

/** The stored value of each patchable field, in the shape the patch uses, for change detection. */
function currentValues(row: TargetRow): Record<keyof TUpdateTarget, Comparable> {
  return {
    name: row.name,
    environment: row.environment,
    mode: row.mode,
    serverUrl: row.serverUrl,
    caBundle: row.caBundle,
    insecureSkipTlsVerify: row.insecureSkipTlsVerify,
    defaultNamespace: row.defaultNamespace,
    allowedNamespaces: JSON.stringify(parseAllowedNamespaces(row.allowedNamespaces)),
    allowClusterScoped: row.allowClusterScoped,
    requiredApprovals: row.requiredApprovals,
    approverRole: row.approverRole,
    banRequester: row.banRequester,
    banCommitAuthor: row.banCommitAuthor,
    allowTokenApprovals: row.allowTokenApprovals,
    approvalTtlHours: row.approvalTtlHours,
    ownerTeam: row.ownerTeam,
    credentialPolicyId: row.credentialPolicyId,
    statusReadIntervalSeconds: row.statusReadIntervalSeconds,
  };
}

function patchValues(patch: TUpdateTarget): Partial<Record<keyof TUpdateTarget, Comparable>> {
  const out: Partial<Record<keyof TUpdateTarget, Comparable>> = {};
  for (const [key, value] of Object.entries(patch) as [keyof TUpdateTarget, unknown][]) {
    if (value === undefined) continue;
    if (key === "allowedNamespaces") out[key] = JSON.stringify(value);
    else if (key === "credentialPolicyId") out[key] = (value as string | null) || null;
    else out[key] = value as Comparable;
  }
  return out;
}

/**
 * Changes a target and writes `target.updated` (listing the changed field names, never their values) in the same
 * transaction. A patch that changes nothing writes nothing. Renaming is allowed: the new name must be free.
 * Changing the environment does not re-apply the production approval default; the rule is whatever was set.
 */
export async function updateTarget({ id, patch, actor, request }: UpdateTargetOptions): Promise<TargetView> {
  try {
    return await db().$transaction(async (tx) => {
      // The environment and the policy decide which policy governs the target's credential (status boundaries); the
      // name is copied onto it for the credentials list's order. Locked like every writer of those columns, so a
      // credential stored meanwhile cannot keep the old name.
      const movesCredentialColumns =
        patch.environment !== undefined || patch.credentialPolicyId !== undefined || patch.name !== undefined;
      if (movesCredentialColumns) await lockStatusColumns(tx);
      const current = await getTargetRow({ id }, tx);
      // A deleted target's settings are its history: they read as they were.
      assertTargetLive(current);
      const before = currentValues(current);
      const after = patchValues(patch);
      const changed = (Object.keys(after) as (keyof TUpdateTarget)[]).filter((k) => after[k] !== before[k]);
      if (changed.length === 0) return toTargetView(current);

      const problem = namespaceRuleProblem({
        defaultNamespace: patch.defaultNamespace ?? current.defaultNamespace,
        allowedNamespaces: patch.allowedNamespaces ?? parseAllowedNamespaces(current.allowedNamespaces),
      });
      if (problem)
        throw new AppError("VALIDATION_FAILED", `allowedNamespaces: ${problem}`, {
          fields: { allowedNamespaces: [problem] },
        });
      await checkTargetReferences(tx, {
        caBundle: changed.includes("caBundle") ? patch.caBundle : undefined,
        credentialPolicyId: changed.includes("credentialPolicyId") ? patch.credentialPolicyId : undefined,
      });
      if (patch.name !== undefined && changed.includes("name")) {
        const taken = await tx.target.findUnique({
          where: { name_archivedKey: { name: patch.name, archivedKey: "" } },
          select: { id: true },
        });
        if (taken && taken.id !== id) throw nameTakenError(patch.name);
      }

      const row = await tx.target.update({
        where: { id },
        data: {
          name: patch.name,
          environment: patch.environment,
          mode: patch.mode,
          serverUrl: patch.serverUrl,
          caBundle: patch.caBundle,
          insecureSkipTlsVerify: patch.insecureSkipTlsVerify,
          defaultNamespace: patch.defaultNamespace,
          allowedNamespaces: patch.allowedNamespaces ? JSON.stringify(patch.allowedNamespaces) : undefined,
          allowClusterScoped: patch.allowClusterScoped,
          requiredApprovals: patch.requiredApprovals,
          approverRole: patch.approverRole,
          banRequester: patch.banRequester,
          banCommitAuthor: patch.banCommitAuthor,
          allowTokenApprovals: patch.allowTokenApprovals,
          approvalTtlHours: patch.approvalTtlHours,
          ownerTeam: patch.ownerTeam,
          credentialPolicyId: patch.credentialPolicyId === undefined ? undefined : patch.credentialPolicyId || null,
          statusReadIntervalSeconds: patch.statusReadIntervalSeconds,
        },
        include: TARGET_INCLUDE,
      });
      if (changed.includes("environment") || changed.includes("credentialPolicyId") || changed.includes("name")) {
        await recomputeCredentialStatusColumns(tx, { where: { targetId: id } });
      }
      await recordAuditEvent(tx, {
        actor,
        action: "target.updated",
        subjectType: "target",
        subjectId: id,
        targetId: id,
        details: {
          name: row.name,
          changed,
          ...(changed.includes("name") ? { previousName: current.name } : {}),
          ...(changed.includes("mode") ? { previousMode: current.mode, mode: row.mode } : {}),
          ...(changed.includes("requiredApprovals")
            ? { previousRequiredApprovals: current.requiredApprovals, requiredApprovals: row.requiredApprovals }
            : {}),
        },
        request,
      });
      return toTargetView(row);
    });
  } catch (err) {
    if (isUniqueViolation(err) && patch.name) throw nameTakenError(patch.name);
    throw err;
  }
}
