import Link from "next/link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import type { SyncEventDetail } from "@/lib/sync/schemas";
import { formatDuration } from "@/lib/format/duration";
import { SyncResultBadge } from "./sync-badges";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[12rem_1fr]">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="min-w-0 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
}

/**
 * One sync's record (issue 16, Must 4): where it was applied, which revision, the SHA-256 of exactly what the agent
 * applied — the digest the download's X-Wharf-Manifests-Sha256 header repeats — who asked for the revision and who
 * approved it. Events from agents older than the record say so rather than showing an empty digest.
 */
export function SyncEventRecord({ event: e }: { event: SyncEventDetail }) {
  const m = e.appliedManifests;
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader title="Record" description="What this sync did, where, and on whose say-so." />
        <CardBody>
          <dl className="divide-y divide-slate-100" data-testid="sync-event-record">
            <Row label="When">
              <DateTime value={e.occurredAt} />
            </Row>
            <Row label="Result">
              <SyncResultBadge result={e.result} /> <span className="text-slate-600">({e.trigger})</span>
            </Row>
            <Row label="Cluster">
              {e.cluster.name ? (
                <>
                  <Link className="text-brand-700 underline underline-offset-2" href={`/targets/${e.target.id}`}>
                    {e.cluster.name}
                  </Link>
                  {e.cluster.archived ? <span className="text-slate-500"> (deleted)</span> : null}
                  {e.cluster.serverUrl ? (
                    <span className="ml-2 font-mono text-xs break-all text-slate-500">{e.cluster.serverUrl}</span>
                  ) : null}
                </>
              ) : (
                <span className="font-mono text-xs">{e.target.id}</span>
              )}
            </Row>
            <Row label="Repository">
              {(e.spec ?? e.repo) ? (
                <span className="font-mono text-xs break-all">
                  {(e.spec ?? e.repo)!.url} @ {(e.spec ?? e.repo)!.branch} ·{" "}
                  {(e.spec ?? e.repo)!.path === "." ? "/" : (e.spec ?? e.repo)!.path}
                </span>
              ) : (
                "removed repository"
              )}
            </Row>
            <Row label="Revision">
              {e.revision ? (
                <>
                  <span className="font-mono text-xs break-all" data-testid="sync-event-revision">
                    {e.revision.id ?? e.revision.sha}
                  </span>
                  {e.revision.message ? <div className="text-slate-600">{e.revision.message}</div> : null}
                  {e.revision.authorName ? (
                    <div className="text-xs text-slate-500">
                      by {e.revision.authorName}
                      {e.revision.authorEmail ? ` <${e.revision.authorEmail}>` : ""}
                    </div>
                  ) : null}
                </>
              ) : (
                "—"
              )}
            </Row>
            <Row label="Requested and approved">
              {e.approval ? (
                <>
                  Requested by {e.approval.requestedBy}
                  {e.approval.approvedBy.length > 0
                    ? `, approved by ${e.approval.approvedBy.join(", ")}`
                    : ", with no approval recorded"}{" "}
                  (
                  <Link
                    className="text-brand-700 underline underline-offset-2"
                    href={`/deployments/${e.approval.deploymentId}`}
                  >
                    approval request
                  </Link>
                  )
                </>
              ) : (
                <span className="text-slate-600">
                  Applied by its agent as the repository&apos;s branch moved; this target requires no approval.
                </span>
              )}
            </Row>
            <Row label="Changes">
              +{e.counts.created} created, ~{e.counts.changed} changed, {e.counts.unchanged} unchanged, −
              {e.counts.pruned} pruned · {formatDuration(e.durationMs)}
            </Row>
            <Row label="Applied manifests">
              {m ? (
                <div className="space-y-1" data-testid="sync-applied-manifests">
                  <div>
                    SHA-256{" "}
                    <span className="font-mono text-xs break-all" data-testid="sync-applied-manifests-sha256">
                      {m.sha256}
                    </span>
                    {m.bytes !== null ? <span className="text-slate-600"> · {kib(m.bytes)}</span> : null}
                  </div>
                  {!m.held ? (
                    <p className="text-slate-600">
                      Wharf holds only the digest: the manifests were over the upload limit or never arrived.
                    </p>
                  ) : m.canDownload ? (
                    <a
                      href={`/api/sync-events/${e.id}/manifests`}
                      download
                      className="inline-block rounded-md text-brand-700 underline-offset-2 hover:underline focus-visible:ring-2 focus-visible:ring-brand-500 focus-visible:outline-none"
                    >
                      Download applied manifests (YAML)
                    </a>
                  ) : (
                    <p className="text-slate-500">Approvers and admins may download them; each download is audited.</p>
                  )}
                </div>
              ) : (
                <span className="text-slate-600" data-testid="sync-applied-manifests-none">
                  {e.counts.created + e.counts.changed + e.counts.unchanged > 0
                    ? "Not recorded: the agent that applied it is older than the applied-manifests record."
                    : "Not recorded: this event applied nothing."}
                </span>
              )}
            </Row>
            {e.message ? <Row label="Message">{e.message}</Row> : null}
          </dl>
        </CardBody>
      </Card>
    </div>
  );
}
