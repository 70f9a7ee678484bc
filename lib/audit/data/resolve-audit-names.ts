import "server-only";
import type { Tx } from "@/lib/db";
import type { TAuditNames } from "../names";
import type { AuditEntry } from "../schemas";

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function nonEmpty(v: string | null | undefined): string | null {
  return v ? v : null;
}

const DEPLOYMENT_NAMES = {
  reason: true,
  requestedByName: true,
  revision: true,
  commitSha: true,
  gitUrl: true,
  gitPath: true,
  target: { select: { name: true, environment: true } },
  application: { select: { name: true } },
} as const;

/**
 * The names a row is about, as they are now, inside the writing transaction (so a row written just before its
 * subject is deleted still finds it). What the caller passed in `entry.names` is kept and not looked up again; the
 * rest is read by id, at most one query per thing named (subject, credential with its target, target), and what a
 * caller deleted before writing falls back to the names it put in `details` (targetName, label, fingerprint).
 */
export async function resolveAuditNames(tx: Tx, entry: AuditEntry): Promise<TAuditNames> {
  const names: TAuditNames = { ...entry.names };
  const details = entry.details ?? {};
  const subjectId = entry.subjectId ?? null;

  // What the subject names, and for a decrypt the deployment or preview it was for.
  const purposeId =
    str(details.purpose) === "deployment" || str(details.purpose) === "preview" ? str(details.purposeId) : null;
  const deploymentId = entry.subjectType === "deployment" ? subjectId : purposeId;
  if (deploymentId && !names.deployment) {
    const d = await tx.deployment.findUnique({ where: { id: deploymentId }, select: DEPLOYMENT_NAMES });
    if (d) {
      names.deployment = {
        reason: nonEmpty(d.reason),
        requester: d.requestedByName,
        revision: d.commitSha ?? d.revision ?? null,
      };
      if (d.gitUrl) names.repository ??= { url: d.gitUrl, path: d.gitPath };
      if (d.application) names.application ??= { name: d.application.name };
      names.target ??= { name: d.target.name, environment: d.target.environment };
    }
  } else if (subjectId && entry.subjectType === "application" && !names.application) {
    const a = await tx.application.findUnique({
      where: { id: subjectId },
      select: { name: true, repoUrl: true, path: true, target: { select: { name: true, environment: true } } },
    });
    if (a) {
      names.application = { name: a.name };
      if (a.repoUrl) names.repository ??= { url: a.repoUrl, path: a.path };
      names.target ??= { name: a.target.name, environment: a.target.environment };
    }
  } else if (subjectId && entry.subjectType === "pull-repo" && !names.repository) {
    const r = await tx.pullRepo.findUnique({
      where: { id: subjectId },
      select: {
        url: true,
        path: true,
        application: { select: { name: true } },
        target: { select: { name: true, environment: true } },
      },
    });
    if (r) {
      names.repository = { url: r.url, path: r.path };
      if (r.application) names.application ??= { name: r.application.name };
      names.target ??= { name: r.target.name, environment: r.target.environment };
    }
  } else if (subjectId && entry.subjectType === "repo-binding" && !names.repository) {
    const b = await tx.repoBinding.findUnique({
      where: { id: subjectId },
      select: {
        repoUrl: true,
        path: true,
        application: { select: { name: true } },
        target: { select: { name: true, environment: true } },
      },
    });
    if (b) {
      names.repository = { url: b.repoUrl, path: b.path };
      if (b.application) names.application ??= { name: b.application.name };
      names.target ??= { name: b.target.name, environment: b.target.environment };
    }
  } else if (subjectId && entry.subjectType === "user" && !names.user) {
    const u = await tx.user.findUnique({ where: { id: subjectId }, select: { email: true } });
    if (u) names.user = { email: u.email };
  }

  const targetId = entry.targetId ?? (entry.subjectType === "target" ? subjectId : null);
  const credentialId = entry.credentialId ?? (entry.subjectType === "credential" ? subjectId : null);
  if (credentialId && !names.credential) {
    // One query for the credential and its target: most credential rows name both.
    const c = await tx.credential.findUnique({
      where: { id: credentialId },
      select: {
        label: true,
        kind: true,
        fingerprint: true,
        targetId: true,
        target: { select: { name: true, environment: true } },
      },
    });
    names.credential = c
      ? { label: c.label, kind: c.kind, fingerprint: c.fingerprint }
      : { label: str(details.label), kind: str(details.kind), fingerprint: str(details.fingerprint) };
    if (c && c.targetId === targetId) names.target ??= { name: c.target.name, environment: c.target.environment };
  }
  if (targetId && !names.target) {
    const t = await tx.target.findUnique({ where: { id: targetId }, select: { name: true, environment: true } });
    const deletedName = str(details.targetName);
    if (t) names.target = { name: t.name, environment: t.environment };
    else if (deletedName) names.target = { name: deletedName, environment: str(details.environment) };
  }

  return names;
}
