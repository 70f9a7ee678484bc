"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ArchivedBanner, archivedPhrase } from "@/components/targets/archived-banner";
import { useDeployment } from "@/lib/deployments/hooks/use-deployment";
import { useRerunPreview } from "@/lib/deployments/hooks/use-rerun-preview";
import { isTerminal } from "@/lib/deployments/states";
import { formatDateTime } from "@/lib/format/date";
import { AppliedManifests } from "./applied-manifests";
import { ApprovalPanel } from "./approval-panel";
import { DeploymentActions } from "./deployment-actions";
import { DeploymentDiff } from "./deployment-diff";
import { DeploymentProgress } from "./deployment-progress";
import { DeploymentStateBadge } from "./deployment-state-badge";

/** A deployment's page: header, source, reason, approvals, diff and live progress. Polls until it is finished. */
export function DeploymentDetail({ id, canPreview }: { id: string; canPreview: boolean }) {
  const { data: d, error } = useDeployment(id);
  const rerun = useRerunPreview(id);
  if (error) {
    return (
      <p role="alert" className="text-sm text-red-700">
        Could not load the deployment: {error.message}
      </p>
    );
  }
  if (!d) return <p className="text-sm text-slate-500">Loading…</p>;
  const finished = isTerminal(d.state);

  return (
    <>
      <PageHeader
        title={`Deployment to ${d.target.name}`}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <DeploymentStateBadge state={d.state} />
            {d.live ? (
              <span title="The newest success of its application: what runs now." data-testid="deployment-live">
                <Badge tone="green">live</Badge>
              </span>
            ) : null}
            {d.emergency ? <Badge tone="red">emergency</Badge> : null}
            {d.cancelRequested && d.state === "running" ? <Badge tone="yellow">cancel requested</Badge> : null}
            <span>
              requested by {d.requestedBy.name} · {formatDateTime(d.createdAt)}
            </span>
          </span>
        }
        actions={<DeploymentActions deployment={d} />}
      />
      {/* A deleted target or application: this record is history, kept readable (lib/targets/live.ts). */}
      {d.target.archived ? (
        <ArchivedBanner what="target" name={d.target.name} archived={d.target.archived} />
      ) : d.application?.archived ? (
        <ArchivedBanner what="application" name={d.application.name} archived={d.application.archived} />
      ) : null}
      {/* Once the executor started, its progress section reports the outcome. */}
      {d.resultMessage && finished && !d.startedAt ? (
        <p
          role="status"
          className={`mb-4 rounded-md px-3 py-2 text-sm ${d.state === "succeeded" ? "bg-emerald-50 text-emerald-800" : "bg-slate-100 text-slate-800"}`}
        >
          {d.resultMessage}
        </p>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Request" />
          <CardBody>
            <dl className="space-y-3 text-sm">
              <Row label="Target">
                <Link href={`/targets/${d.target.id}`} className="text-brand-700 hover:underline">
                  {d.target.name}
                </Link>{" "}
                <span className="text-slate-500">({d.target.environment})</span>
                {d.target.archived ? (
                  <span className="ml-1 text-amber-800">— {archivedPhrase(d.target.archived)}</span>
                ) : null}
              </Row>
              {d.application ? (
                <Row label="Application">
                  <Link href={`/applications/${d.application.id}`} className="text-brand-700 hover:underline">
                    {d.application.name}
                  </Link>
                  {d.application.archived ? (
                    <span className="ml-1 text-amber-800">— {archivedPhrase(d.application.archived)}</span>
                  ) : null}
                </Row>
              ) : null}
              <Row label="Source">
                {d.git ? (
                  <span className="font-mono break-all">
                    {d.git.url}@{d.git.ref}:{d.git.path}
                  </span>
                ) : (
                  "Pasted or uploaded manifests"
                )}
              </Row>
              {d.git ? (
                <>
                  <Row label="Commit">
                    <span className="font-mono">{d.git.commitSha}</span>
                    {d.git.message ? (
                      <span className="block text-slate-600">{d.git.message.split("\n")[0]}</span>
                    ) : null}
                  </Row>
                  <Row label="Author">
                    {d.git.authorName} &lt;{d.git.authorEmail}&gt; · {formatDateTime(d.git.committedAt)}
                  </Row>
                </>
              ) : null}
              <Row label="Reason">{d.reason || <span className="text-slate-500">—</span>}</Row>
              {d.rollbackOfId ? (
                <Row label="Rolls back to">
                  <Link href={`/deployments/${d.rollbackOfId}`} className="font-mono text-brand-700 hover:underline">
                    {d.rollbackOfId}
                  </Link>
                </Row>
              ) : null}
              <Row label="Objects">{d.objectCount}</Row>
              <Row label="Digest">
                <span className="font-mono text-xs" title={d.manifestsDigest}>
                  sha256:{d.manifestsDigest.slice(0, 16)}…
                </span>
              </Row>
            </dl>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Approvals" />
          <CardBody>
            <ApprovalPanel deployment={d} />
          </CardBody>
        </Card>
      </div>

      <Card className="mt-6">
        <CardHeader
          title="Changes"
          description={
            d.previewedAt
              ? `${d.previewByAgent ? `Dry run by ${d.target.name}'s agent` : "Server-side dry run"} at ${formatDateTime(d.previewedAt)}`
              : "Not previewed yet"
          }
          actions={
            canPreview && !finished && !d.previewByAgent ? (
              <Button variant="secondary" size="sm" onClick={() => rerun.mutate()} disabled={rerun.isPending}>
                {rerun.isPending ? "Previewing…" : "Preview again"}
              </Button>
            ) : undefined
          }
        />
        <CardBody>
          {rerun.error ? (
            <p role="alert" className="mb-3 text-sm text-red-700">
              {rerun.error.message}
            </p>
          ) : null}
          {d.previewError ? (
            <p
              role="alert"
              className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900"
              data-testid="preview-error"
            >
              {d.previewError}
            </p>
          ) : null}
          {d.preview?.notes?.map((note) => (
            <p
              key={note}
              className="mb-3 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700"
              data-testid="preview-note"
            >
              {note}
            </p>
          ))}
          {d.preview ? (
            <DeploymentDiff preview={d.preview} />
          ) : d.previewError ? null : d.previewByAgent && d.state === "pending-approval" ? (
            <p className="text-sm text-slate-500" data-testid="preview-waiting">
              Waiting for {d.target.name}&apos;s agent to compute the diff…
            </p>
          ) : d.previewByAgent ? (
            <p className="text-sm text-slate-500">
              No diff: {d.target.name}&apos;s agent reports one only while a revision awaits approval.
            </p>
          ) : (
            <p className="text-sm text-slate-500">No preview yet.</p>
          )}
        </CardBody>
      </Card>

      {d.state === "running" ||
      d.state === "succeeded" ||
      d.state === "failed" ||
      d.state === "queued" ||
      d.state === "plan-changed" ||
      (d.state === "cancelled" && d.startedAt) ? (
        <div className="mt-6">
          <DeploymentProgress deploymentId={d.id} />
        </div>
      ) : null}

      <Card className="mt-6">
        <CardHeader title="Manifests" />
        <CardBody>
          <AppliedManifests deployment={d} />
          <details>
            <summary className="cursor-pointer text-sm text-slate-600">
              Show the {d.objectCount} object(s) as requested
            </summary>
            <pre tabIndex={0} className="mt-2 max-h-96 overflow-auto rounded bg-slate-50 p-3 font-mono text-xs">
              {d.manifests}
            </pre>
          </details>
        </CardBody>
      </Card>
    </>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[8rem_1fr] gap-2">
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-slate-800">{children}</dd>
    </div>
  );
}
