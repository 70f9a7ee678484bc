import "server-only";
import { randomUUID } from "node:crypto";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { repoKey } from "@/lib/repos/url";
import { LIVE_APPLICATION } from "@/lib/targets/live";
import { repoApplicationName, uniqueName } from "../naming";
import type { TRenderOptions } from "../schemas";
import { recomputeApplicationStatus } from "../status-columns";

/** What every push deployment, binding and pull repository needs of its application. */
export interface ApplicationRef {
  id: string;
  name: string;
  inventoryKey: string;
}

const REF = { id: true, name: true, inventoryKey: true, mode: true, targetId: true } as const;

interface Author {
  actor: Actor;
  request?: RequestContext;
  /** Null when Wharf creates it on someone's behalf without a user (a webhook). */
  createdById: string | null;
}

export interface NewApplication {
  name: string;
  mode: "push" | "pull";
  source: { kind: "git"; repoUrl: string; ref: string; path: string } | { kind: "manifests" };
  renderOptions?: TRenderOptions;
  prune?: boolean;
  selfHeal?: boolean;
  driftInterval?: number | null;
  /** Defaults to the new application's id (a new ApplySet); the default push application uses the target id. */
  inventoryKey?: string;
}

export const nameTakenError = (name: string, targetName: string) =>
  new AppError("CONFLICT", `${targetName} already has an application named ${name}.`, {
    fields: { name: ["Already used on this target."] },
  });

/** Inserts an application with its `application.created` audit row, inside the caller's transaction. */
export async function insertApplication(
  tx: Tx,
  target: { id: string; name: string },
  app: NewApplication,
  author: Author,
): Promise<ApplicationRef> {
  const taken = await tx.application.findUnique({
    where: { targetId_name_archivedKey: { targetId: target.id, name: app.name, archivedKey: "" } },
    select: { id: true },
  });
  if (taken) throw nameTakenError(app.name, target.name);
  const id = randomUUID();
  const git = app.source.kind === "git" ? app.source : null;
  const row = await tx.application.create({
    data: {
      id,
      name: app.name,
      targetId: target.id,
      mode: app.mode,
      sourceKind: app.source.kind,
      repoUrl: git?.repoUrl ?? null,
      repoKey: git ? repoKey(git.repoUrl) : null,
      ref: git?.ref ?? null,
      path: git?.path ?? null,
      renderOptions: JSON.stringify(app.renderOptions ?? { kind: "auto" }),
      prune: app.prune ?? true,
      selfHeal: app.selfHeal ?? true,
      driftInterval: app.mode === "pull" ? (app.driftInterval ?? null) : null,
      inventoryKey: app.inventoryKey ?? id,
      createdById: author.createdById,
    },
    select: REF,
  });
  await recordAuditEvent(tx, {
    actor: author.actor,
    action: "application.created",
    subjectType: "application",
    subjectId: row.id,
    targetId: target.id,
    details: {
      name: row.name,
      mode: app.mode,
      source: app.source.kind,
      ...(git ? { repoUrl: git.repoUrl, ref: git.ref, path: git.path } : {}),
      inventoryKey: row.inventoryKey,
    },
    ...(author.request ? { request: author.request } : {}),
  });
  return { id: row.id, name: row.name, inventoryKey: row.inventoryKey };
}

async function namesOn(tx: Tx, targetId: string): Promise<Set<string>> {
  const rows = await tx.application.findMany({ where: { targetId, ...LIVE_APPLICATION }, select: { name: true } });
  return new Set(rows.map((r) => r.name));
}

/**
 * The push application a deployment or binding belongs to, created when missing (inside the caller's transaction):
 * - by name, when one is given;
 * - otherwise the target's default application: the one keyed by the target id, the ApplySet key push deployments
 *   to the target have always had, so requests that name no application keep deploying (and pruning) what they did.
 *   It is named like the target (a DNS label already), or the first free variant of that.
 */
export async function pushApplicationFor(
  tx: Tx,
  opts: { target: { id: string; name: string }; name?: string; source: NewApplication["source"] } & Author,
): Promise<ApplicationRef> {
  const select = { ...REF, pullRepo: { select: { id: true } } };
  const existing = opts.name
    ? await tx.application.findUnique({
        where: { targetId_name_archivedKey: { targetId: opts.target.id, name: opts.name, archivedKey: "" } },
        select,
      })
    : await tx.application.findUnique({ where: { inventoryKey: opts.target.id }, select });
  if (existing) {
    if (existing.pullRepo || existing.targetId !== opts.target.id) {
      throw new AppError(
        "CONFLICT",
        `The application ${existing.name} is not a push application of ${opts.target.name}.`,
      );
    }
    // One made while the target pulled (approvals of a removed repository) is pushed now that the target is.
    if (existing.mode !== "push") {
      await tx.application.update({ where: { id: existing.id }, data: { mode: "push" } });
      // Its sync status is read from its deployments from now on, no longer from a repository's state.
      await recomputeApplicationStatus(tx, { applicationIds: [existing.id] });
    }
    return { id: existing.id, name: existing.name, inventoryKey: existing.inventoryKey };
  }
  const name = opts.name ?? uniqueName(opts.target.name, await namesOn(tx, opts.target.id));
  return insertApplication(
    tx,
    opts.target,
    { name, mode: "push", source: opts.source, ...(opts.name ? {} : { inventoryKey: opts.target.id }) },
    opts,
  );
}

/**
 * A new pull repository's application (inside the caller's transaction): the named one when it exists and has no
 * repository yet (its ApplySet, and the objects in it, carry over), else a new one — named as asked, or after the
 * repository URL's last segment and path.
 */
export async function pullApplicationFor(
  tx: Tx,
  opts: {
    target: { id: string; name: string };
    name?: string;
    repo: { url: string; branch: string; path: string; prune: boolean; selfHeal: boolean };
    settings?: Pick<NewApplication, "renderOptions" | "driftInterval">;
  } & Author,
): Promise<ApplicationRef> {
  const source = { kind: "git" as const, repoUrl: opts.repo.url, ref: opts.repo.branch, path: opts.repo.path };
  if (opts.name) {
    const existing = await tx.application.findUnique({
      where: { targetId_name_archivedKey: { targetId: opts.target.id, name: opts.name, archivedKey: "" } },
      select: { ...REF, pullRepo: { select: { id: true } } },
    });
    if (existing) {
      if (existing.mode !== "pull" || existing.pullRepo) throw nameTakenError(opts.name, opts.target.name);
      await tx.application.update({
        where: { id: existing.id },
        data: {
          sourceKind: "git",
          repoUrl: source.repoUrl,
          repoKey: repoKey(source.repoUrl),
          ref: source.ref,
          path: source.path,
          prune: opts.repo.prune,
          selfHeal: opts.repo.selfHeal,
          ...(opts.settings?.renderOptions ? { renderOptions: JSON.stringify(opts.settings.renderOptions) } : {}),
          ...(opts.settings?.driftInterval !== undefined ? { driftInterval: opts.settings.driftInterval } : {}),
        },
      });
      return { id: existing.id, name: existing.name, inventoryKey: existing.inventoryKey };
    }
  }
  const name =
    opts.name ?? uniqueName(repoApplicationName(opts.repo.url, opts.repo.path), await namesOn(tx, opts.target.id));
  return insertApplication(
    tx,
    opts.target,
    { name, mode: "pull", source, prune: opts.repo.prune, selfHeal: opts.repo.selfHeal, ...opts.settings },
    opts,
  );
}
