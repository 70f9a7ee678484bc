import "server-only";
import { pushApplicationFor } from "@/lib/applications/data/ensure-application";
import { parseRenderOptions } from "@/lib/applications/data/to-application-view";
import { summarizeObjects } from "@/lib/applications/revision-summary";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import type { TRenderOptions } from "@/lib/applications/schemas";
import { recordAuditEvent, auditedTransaction } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { TRole } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { ManifestError, formatProblem } from "@/lib/kube/manifests";
import { enqueueNotification } from "@/lib/notifications/data/enqueue-notification";
import type { PromotionNotice } from "@/lib/notifications/messages";
import { defaultReleaseName, type HelmOptions, type SourceKind } from "@/lib/render";
import { parseAllowedNamespaces } from "@/lib/targets/data/to-target-view";
import { applicationArchivedError, assertTargetLive } from "@/lib/targets/live";
import { wakeExecutor } from "../wake";
import { fetchGitManifests, joinManifestFiles } from "../git-source";
import { objectRefsFor, validateDeploymentManifests, type ValidatedManifests } from "../manifests";
import { RENDER_NOTE_PREFIX } from "../preview";
import { compressManifests } from "../stored-manifests";
import { ZDeploymentSource, ZEmergency, ZReason, type DeploymentView } from "../schemas";
import { getDeployment, type Viewer } from "./get-deployment";
import { previewDeployment } from "./preview-deployment";
import { approveAndQueue } from "./queue-deployment";
import { discoverTargetVersions } from "./target-client";

/** Who asks: the signed-in user or the API token's owner, with the role that decides what they may do. */
export interface RequestPrincipal {
  userId: string;
  email: string;
  role: TRole;
  kind: "user" | "api-token";
}

export interface RequestDeploymentOptions {
  targetId: string;
  source: { kind: "manifests"; manifests: string } | { kind: "git"; url: string; ref: string; path: string };
  reason: string;
  /** Admins only, on rollbacks: skips approvals; the reason is mandatory and recorded. */
  emergency?: { reason: string };
  rollbackOfId?: string;
  /** The push application to deploy, by name (created when new); without it, the target's default application. */
  application?: string;
  /** The application, by id (rollbacks and webhooks: the rolled-back deployment's, the binding's). */
  applicationId?: string;
  /** A promotion from the previous environment: the awaiting-approval notice says so and links the application. */
  promotion?: PromotionNotice;
  actor: Actor;
  principal: RequestPrincipal;
  request: RequestContext;
}

/** A source already resolved to text (and, from Git, to a commit). */
export interface ResolvedSource {
  kind: "manifests" | "git";
  manifests: string;
  /** Files read from Git, validated per file so problems name the file. */
  files?: { path: string; content: string }[];
  git?: {
    url: string;
    ref: string;
    path: string;
    commitSha: string;
    authorName: string | null;
    authorEmail: string | null;
    message: string | null;
    committedAt: Date | null;
  };
  /** How a Git source was rendered (lib/render), for the audit row. */
  renderKind?: SourceKind;
  /**
   * What reviewers should know about how the manifests were made (a chart rendered without the target's versions):
   * kept as the deployment's log lines and shown with its preview.
   */
  notes?: string[];
}

async function loadPushTarget(targetId: string) {
  const target = await db().target.findUnique({ where: { id: targetId } });
  if (!target)
    throw new AppError("NOT_FOUND", "There is no target with this id.", {
      fields: { targetId: ["There is no target with this id."] },
    });
  // Requests, rollbacks, promotions and webhooks all come through here: nothing is deployed to a deleted target.
  assertTargetLive(target);
  if (target.mode !== "push") {
    throw new AppError(
      "TARGET_NOT_PUSH",
      `${target.name} is a pull target: its agent syncs from Git by itself, so Wharf does not deploy to it.`,
    );
  }
  return target;
}

/** Every manifest problem as one message each, under `fields.manifests`. */
function manifestsInvalid(err: ManifestError): AppError {
  const messages = err.problems.map(formatProblem);
  return new AppError(
    "VALIDATION_FAILED",
    messages.length === 1
      ? `The manifests cannot be deployed: ${messages[0]}`
      : `The manifests cannot be deployed: ${messages.length} problems.`,
    { fields: { manifests: messages } },
  );
}

/** The reason and emergency of a request, checked: what needs neither the source nor the cluster. */
function checkRequestInputs(
  opts: Pick<RequestDeploymentOptions, "reason" | "emergency" | "rollbackOfId" | "principal">,
) {
  const reason = ZReason.parse(opts.reason ?? "");
  const emergency = opts.emergency ? ZEmergency.parse(opts.emergency) : undefined;
  if (emergency && opts.principal.role !== "admin") {
    throw new AppError("FORBIDDEN", "Only admins may declare an emergency and skip approvals.");
  }
  if (emergency && !opts.rollbackOfId) {
    throw new AppError(
      "VALIDATION_FAILED",
      "An emergency may only skip approvals for a rollback to a deployment that succeeded.",
      {
        fields: { emergency: ["Emergencies are for rollbacks only."] },
      },
    );
  }
  return { reason, emergency };
}

/**
 * The application a request deploys, checked before its source is fetched and rendered: rendering a chart reaches
 * the target's cluster (and decrypts its credential, audited), which a request refused anyway must not do. The
 * transaction checks again (createDeploymentRequest); this is the early answer with the same errors.
 */
async function checkApplication(
  target: { id: string; name: string },
  opts: Pick<RequestDeploymentOptions, "application" | "applicationId">,
): Promise<void> {
  if (opts.applicationId) {
    const app = await db().application.findFirst({
      where: { id: opts.applicationId, targetId: target.id, mode: "push" },
      select: { id: true, name: true, archivedAt: true },
    });
    if (!app) throw new AppError("NOT_FOUND", "There is no push application with this id on this target.");
    if (app.archivedAt) throw applicationArchivedError(app);
    return;
  }
  if (!opts.application) return;
  const app = await db().application.findUnique({
    where: { targetId_name_archivedKey: { targetId: target.id, name: opts.application, archivedKey: "" } },
    select: { name: true, pullRepo: { select: { id: true } } },
  });
  // The same rule as pushApplicationFor's: a new name is created with the request, a pull application's is refused.
  if (app?.pullRepo)
    throw new AppError("CONFLICT", `The application ${app.name} is not a push application of ${target.name}.`);
}

/**
 * Stores a request for an already resolved source: validates it against the target's rules (nothing is stored when
 * anything is wrong), inserts it as `pending-approval` with its audit row, and — when the target needs no approval
 * or an admin declared an emergency — approves and queues it in the same transaction. After the commit the preview
 * is computed (its failures land in `previewError`, never fail the request) and the executor is woken.
 */
export async function createDeploymentRequest(
  opts: Omit<RequestDeploymentOptions, "source"> & { source: ResolvedSource },
): Promise<DeploymentView> {
  const { reason, emergency } = checkRequestInputs(opts);
  const target = await loadPushTarget(opts.targetId);
  const rules = {
    defaultNamespace: target.defaultNamespace,
    allowedNamespaces: parseAllowedNamespaces(target.allowedNamespaces),
    allowClusterScoped: target.allowClusterScoped,
  };
  let validated: ValidatedManifests;
  try {
    validated = validateDeploymentManifests(opts.source.files ?? opts.source.manifests, rules);
  } catch (err) {
    if (err instanceof ManifestError) throw manifestsInvalid(err);
    throw err;
  }
  const refs = objectRefsFor(validated.objects, target.defaultNamespace);
  const git = opts.source.git;

  const { id, outcome } = await auditedTransaction(async (tx) => {
    const application = opts.applicationId
      ? await tx.application
          .findFirst({ where: { id: opts.applicationId, targetId: target.id, mode: "push" } })
          .then((app) => {
            // Rollbacks and webhooks name the application by id: a deleted one is deployed no more.
            if (app?.archivedAt) throw applicationArchivedError(app);
            return app;
          })
      : await pushApplicationFor(tx, {
          target,
          ...(opts.application ? { name: opts.application } : {}),
          source: git ? { kind: "git", repoUrl: git.url, ref: git.ref, path: git.path } : { kind: "manifests" },
          actor: opts.actor,
          request: opts.request,
          createdById: opts.principal.userId,
        });
    if (!application) throw new AppError("NOT_FOUND", "There is no push application with this id on this target.");
    const created = await tx.deployment.create({
      data: {
        targetId: target.id,
        applicationId: application.id,
        state: "pending-approval",
        sourceKind: opts.source.kind,
        ...compressManifests(opts.source.manifests),
        manifestsDigest: validated.digest,
        objectCount: validated.objects.length,
        revisionSummary: JSON.stringify(summarizeObjects(validated.objects)),
        ...(git
          ? {
              gitUrl: git.url,
              gitRef: git.ref,
              gitPath: git.path,
              commitSha: git.commitSha,
              commitAuthorName: git.authorName,
              commitAuthorEmail: git.authorEmail,
              commitMessage: git.message?.slice(0, 4000) ?? null,
              commitAt: git.committedAt,
            }
          : {}),
        requestedById: opts.principal.userId,
        requestedByKind: opts.principal.kind,
        requestedByName: opts.actor.name,
        reason,
        emergency: !!emergency,
        emergencyReason: emergency?.reason ?? null,
        rollbackOfId: opts.rollbackOfId ?? null,
      },
    });
    // A new request is the application's newest deployment: its sync status (OutOfSync until it succeeds) with it.
    await recomputeApplicationStatus(tx, { applicationIds: [application.id] });
    if (opts.source.notes?.length)
      await tx.deploymentLog.createMany({
        data: opts.source.notes.map((note) => ({
          deploymentId: created.id,
          level: "warn",
          message: `${RENDER_NOTE_PREFIX}${note}`,
        })),
      });
    await tx.deploymentObject.createMany({
      data: refs.map((ref, position) => ({
        deploymentId: created.id,
        position,
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        namespace: ref.namespace ?? null,
        name: ref.name,
        action: "pending",
      })),
    });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "deployment.requested",
      subjectType: "deployment",
      subjectId: created.id,
      targetId: target.id,
      details: {
        to: "pending-approval",
        source: opts.source.kind,
        application: application.name,
        digest: validated.digest,
        objectCount: validated.objects.length,
        ...(git ? { gitUrl: git.url, gitRef: git.ref, gitPath: git.path, commitSha: git.commitSha } : {}),
        ...(opts.source.renderKind ? { render: opts.source.renderKind } : {}),
        ...(reason ? { reason } : {}),
        ...(opts.rollbackOfId ? { rollbackOf: opts.rollbackOfId } : {}),
        ...(emergency ? { emergency: true, emergencyReason: emergency.reason } : {}),
      },
      request: opts.request,
    });
    let outcome: "pending" | "queued" | "approved" | "superseded" | "unchanged" = "pending";
    if (emergency || target.requiredApprovals === 0) {
      outcome = await approveAndQueue(tx, {
        deploymentId: created.id,
        actor: opts.actor,
        request: opts.request,
        details: emergency ? { emergency: true, emergencyReason: emergency.reason } : { requiredApprovals: 0 },
      });
    }
    return { id: created.id, outcome };
  });

  await previewDeployment({ deploymentId: id, actor: opts.actor, request: opts.request }).catch((err: unknown) => {
    console.error(`[wharf] preview of deployment ${id} failed unexpectedly:`, err);
  });
  if (outcome === "queued") wakeExecutor();
  if (outcome === "pending") {
    // Approvers hear about it through the notification sinks; a sink problem never fails the request.
    await enqueueNotification({
      input: {
        event: "deployment.awaiting-approval",
        data: {
          deploymentId: id,
          targetId: target.id,
          targetName: target.name,
          requestedBy: opts.actor.name,
          reason,
          requiredApprovals: target.requiredApprovals,
          ...(opts.promotion ? { promotion: opts.promotion } : {}),
        },
      },
      dedupKey: `deployment.awaiting-approval:${id}`,
    }).catch((err: unknown) =>
      console.error(`[wharf] could not queue the approval notification for deployment ${id}:`, err),
    );
  }
  return getDeployment({ id, viewer: viewerOf(opts.principal) });
}

export function viewerOf(p: RequestPrincipal): Viewer {
  return { userId: p.userId, email: p.email, role: p.role, kind: p.kind };
}

/**
 * The render options of the application a request deploys (by id, by name, or the target's default application);
 * the defaults (`auto`, nothing for Helm) for one this request creates.
 */
async function renderOptionsOf(
  targetId: string,
  opts: Pick<RequestDeploymentOptions, "application" | "applicationId">,
): Promise<TRenderOptions> {
  const row = await db().application.findUnique({
    where: opts.applicationId
      ? { id: opts.applicationId }
      : opts.application
        ? { targetId_name_archivedKey: { targetId, name: opts.application, archivedKey: "" } }
        : { inventoryKey: targetId },
    select: { targetId: true, renderOptions: true },
  });
  return row && row.targetId === targetId ? parseRenderOptions(row.renderOptions) : { kind: "auto" };
}

/**
 * `helm template`'s options for a push application's chart: its release name (default: lib/render
 * defaultReleaseName, as the agent's), the target's default namespace, its values files then inline values, the
 * chart repositories it lists, and the target's versions when its discovery answered.
 */
export function helmOptionsFor(
  render: TRenderOptions,
  source: { path: string; url: string; namespace: string },
  versions: { kubeVersion?: string; apiVersions: string[] },
): HelmOptions {
  const helm = render.helm;
  return {
    releaseName: helm?.releaseName ?? defaultReleaseName(source.path, source.url),
    namespace: source.namespace,
    valuesFiles: helm?.valuesFiles ?? [],
    values: helm?.values ?? {},
    ...(helm?.repositories?.length ? { repositories: helm.repositories } : {}),
    ...(versions.kubeVersion ? { kubeVersion: versions.kubeVersion } : {}),
    apiVersions: versions.apiVersions,
  };
}

/**
 * Requests a push deployment of pasted manifests or of a Git repository path (fetched with git; the resolved commit
 * and its author are recorded, and the author may then not approve). Validation comes first and lists every
 * problem (422, `fields.manifests`); pull targets are refused (409). Used by `POST /api/deployments`, the form and
 * the Git webhook handler.
 */
export async function requestDeployment(opts: RequestDeploymentOptions): Promise<DeploymentView> {
  const source = ZDeploymentSource.parse(opts.source);
  // Everything that needs neither the source nor the cluster is refused first, before a chart's render decrypts the
  // target's credential to ask its cluster for its versions (an audited use a refused request must not leave).
  checkRequestInputs(opts);
  const target = await loadPushTarget(opts.targetId);
  await checkApplication(target, opts);
  let resolved: ResolvedSource;
  if (source.kind === "manifests") {
    resolved = { kind: "manifests", manifests: source.manifests };
  } else {
    const render = await renderOptionsOf(target.id, opts);
    const notes: string[] = [];
    const fetched = await fetchGitManifests({
      url: source.url,
      ref: source.ref,
      path: source.path,
      kind: render.kind,
      // Asked only when the path renders as a Helm chart: the target's versions need its cluster.
      helm: async () => {
        const versions = await discoverTargetVersions({ target, actor: opts.actor, request: opts.request });
        if (versions.note) notes.push(versions.note);
        return helmOptionsFor(
          render,
          { path: source.path, url: source.url, namespace: target.defaultNamespace },
          versions,
        );
      },
    });
    resolved = {
      kind: "git",
      manifests: joinManifestFiles(fetched.files),
      files: fetched.files,
      renderKind: fetched.kind,
      notes,
      git: {
        url: source.url,
        ref: source.ref,
        path: source.path,
        commitSha: fetched.commitSha,
        authorName: fetched.authorName || null,
        authorEmail: fetched.authorEmail || null,
        message: fetched.message || null,
        committedAt: Number.isNaN(fetched.committedAt.getTime()) ? null : fetched.committedAt,
      },
    };
  }
  return createDeploymentRequest({ ...opts, source: resolved });
}
