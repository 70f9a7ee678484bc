import type { DeploymentView } from "@/lib/deployments/schemas";

/**
 * What the download of a deployment's manifests is: the exact bytes that were (or will be) applied, where, at which
 * revision, asked by whom and approved by whom, with the SHA-256 the download's X-Wharf-Manifests-Sha256 header gives,
 * so an auditor can check the file against the record.
 */
export function AppliedManifests({ deployment: d }: { deployment: DeploymentView }) {
  const m = d.appliedManifests;
  if (!m) return null;
  const applied = !!d.startedAt;
  const approvers = d.approvals.filter((a) => a.decision === "approved").map((a) => a.approverName);
  const revision = d.git?.commitSha ? `commit ${d.git.commitSha.slice(0, 12)}` : "pasted or uploaded manifests";
  return (
    <div className="mb-3 space-y-2 text-sm" data-testid="applied-manifests">
      <p className="text-slate-700">
        {applied ? "Exactly what was applied" : "Exactly what will be applied if it runs"} to{" "}
        <span className="font-medium">{m.clusterName}</span> (<span className="font-mono break-all">{m.serverUrl}</span>
        ): {revision}, requested by {d.requestedBy.name}
        {approvers.length > 0 ? `, approved by ${approvers.join(", ")}` : ", with no approval recorded"}.
      </p>
      <p className="text-slate-600">
        SHA-256{" "}
        <span className="font-mono text-xs break-all" data-testid="applied-manifests-sha256">
          {m.sha256}
        </span>{" "}
        · {kib(m.bytes)}
      </p>
      {m.canDownload ? (
        <a
          href={`/api/deployments/${d.id}/manifests`}
          download
          className="inline-block rounded-md text-brand-700 underline-offset-2 hover:underline focus-visible:ring-2 focus-visible:ring-brand-500 focus-visible:outline-none"
        >
          {applied ? "Download applied manifests" : "Download manifests"} (YAML)
        </a>
      ) : (
        <p className="text-slate-500">
          Approvers, admins and the requester may download them; each download is audited.
        </p>
      )}
    </div>
  );
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
}
