import "server-only";
import { LIVE_TARGET } from "@/lib/targets/live";
import { randomUUID } from "node:crypto";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation, type FieldErrors } from "@/lib/errors";
import { defaultRequiredApprovals } from "@/lib/targets/schemas";
import { deriveTargetName, parseKubeconfig, previewContext, type KubeconfigContext } from "../kubeconfig";
import { defaultCredentialLabel, type ImportResult, type KubeconfigPreview, type TImportContext } from "../schemas";
import { lockStatusColumns, recomputeCredentialStatusColumns } from "../status-columns";
import { targetConnection } from "../material";
import { checkUnstoredScope, type RulesReviewer } from "./check-credential-scope";
import { activeCredentialData, sealCredential } from "./store-credential";

/**
 * Parses a kubeconfig and describes each context for the import page, marking names that are already taken, and
 * asks each context's cluster what its credential may do (the cluster-admin check, checkUnstoredScope) so the page
 * warns before anything is stored. Nothing is written and nothing is audited: no stored secret is decrypted.
 */
export async function previewKubeconfigImport(opts: {
  kubeconfig: string;
  review?: RulesReviewer;
}): Promise<KubeconfigPreview> {
  const parsed = parseKubeconfig(opts.kubeconfig);
  const names = parsed.contexts.map((c) => deriveTargetName(c.name));
  const taken = await db().target.findMany({ where: { name: { in: names }, ...LIVE_TARGET }, select: { name: true } });
  const takenNames = new Set(taken.map((t) => t.name));
  return {
    contexts: await Promise.all(
      parsed.contexts.map(async (c) => {
        const preview = previewContext(c, { currentContext: parsed.currentContext, takenNames });
        if (!c.credential || !c.server || c.problems.length) return preview;
        const verdict = await checkUnstoredScope(
          targetConnection(
            {
              name: preview.suggestedName,
              serverUrl: c.server,
              caBundle: c.caPem,
              insecureSkipTlsVerify: c.insecureSkipTlsVerify,
              defaultNamespace: c.namespace,
            },
            c.credential.material,
          ),
          opts.review,
        );
        return { ...preview, clusterAdmin: verdict.clusterAdmin, scopeCheckError: verdict.error };
      }),
    ),
  };
}

interface Planned {
  index: number;
  ctx: KubeconfigContext;
  selection: TImportContext;
  name: string;
}

/**
 * Creates one target per selected context, and for push targets a credential from the context's user, all in one
 * transaction with their audit rows: either every target is created or none is. A name that is already taken is a
 * 409 naming every clash; a context that cannot become a target is a 422 pointing at it.
 */
export async function importTargetsFromKubeconfig(opts: {
  kubeconfig: string;
  contexts: TImportContext[];
  actor: Actor;
  actorUserId: string | null;
  request: RequestContext;
}): Promise<ImportResult> {
  const parsed = parseKubeconfig(opts.kubeconfig);
  const byName = new Map(parsed.contexts.map((c) => [c.name, c]));
  const fields: FieldErrors = {};
  const plan: Planned[] = [];
  const seenNames = new Map<string, number>();
  opts.contexts.forEach((selection, index) => {
    const ctx = byName.get(selection.context);
    if (!ctx) {
      fields[`contexts.${index}.context`] = [`There is no context "${selection.context}" in this kubeconfig.`];
      return;
    }
    if (ctx.problems.length) {
      fields[`contexts.${index}.context`] = ctx.problems;
      return;
    }
    const name = selection.name ?? deriveTargetName(ctx.name);
    const other = seenNames.get(name);
    if (other !== undefined) {
      fields[`contexts.${index}.name`] = [
        `"${name}" is also the name of another selected context; give one of them another name.`,
      ];
      return;
    }
    seenNames.set(name, index);
    plan.push({ index, ctx, selection, name });
  });
  if (Object.keys(fields).length) {
    throw new AppError("VALIDATION_FAILED", "Some selected contexts cannot be imported.", { fields });
  }

  try {
    return await db().$transaction(async (tx) => {
      await lockStatusColumns(tx);
      const clashes = await tx.target.findMany({
        where: { name: { in: plan.map((p) => p.name) }, ...LIVE_TARGET },
        select: { name: true },
      });
      if (clashes.length) {
        const taken = new Set(clashes.map((c) => c.name));
        const clashFields: FieldErrors = {};
        for (const p of plan)
          if (taken.has(p.name))
            clashFields[`contexts.${p.index}.name`] = [`A target named "${p.name}" already exists.`];
        throw new AppError("NAME_TAKEN", `Targets with these names already exist: ${[...taken].sort().join(", ")}.`, {
          fields: clashFields,
        });
      }
      const result: ImportResult = { targets: [] };
      for (const p of plan) {
        const { ctx, selection } = p;
        const target = await tx.target.create({
          data: {
            name: p.name,
            environment: selection.environment,
            mode: selection.mode,
            serverUrl: ctx.server ?? "",
            caBundle: ctx.caPem,
            insecureSkipTlsVerify: ctx.insecureSkipTlsVerify,
            defaultNamespace: ctx.namespace,
            requiredApprovals: defaultRequiredApprovals(selection.environment),
          },
        });
        await recordAuditEvent(tx, {
          actor: opts.actor,
          action: "target.created",
          subjectType: "target",
          subjectId: target.id,
          targetId: target.id,
          details: {
            name: target.name,
            mode: target.mode,
            environment: target.environment,
            serverUrl: target.serverUrl,
            source: "kubeconfig",
            context: ctx.name,
          },
          request: opts.request,
        });
        let credentialId: string | null = null;
        // Pull targets are synced by their in-cluster agent; Wharf keeps no cluster credential for them.
        if (selection.mode === "push" && ctx.credential) {
          credentialId = randomUUID();
          const meta = ctx.credential.metadata;
          const { ciphertext, keyId } = sealCredential(credentialId, ctx.credential);
          await tx.credential.create({
            data: {
              ...activeCredentialData(
                credentialId,
                target.id,
                ctx.credential,
                { ciphertext, keyId },
                defaultCredentialLabel(target.name, meta.kind),
              ),
              createdById: opts.actorUserId,
            },
          });
          await recomputeCredentialStatusColumns(tx, { where: { id: credentialId } });
          await recordAuditEvent(tx, {
            actor: opts.actor,
            action: "credential.stored",
            subjectType: "credential",
            subjectId: credentialId,
            targetId: target.id,
            credentialId,
            details: {
              label: defaultCredentialLabel(target.name, meta.kind),
              kind: meta.kind,
              fingerprint: meta.fingerprint,
              keyId,
              source: "kubeconfig",
              context: ctx.name,
            },
            request: opts.request,
          });
        }
        result.targets.push({
          id: target.id,
          name: target.name,
          mode: selection.mode,
          environment: target.environment,
          credentialId,
        });
      }
      return result;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError(
        "NAME_TAKEN",
        "A target with one of these names was created at the same time. Reload the preview and try again.",
      );
    throw err;
  }
}
