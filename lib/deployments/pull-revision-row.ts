/**
 * The columns every approval request for a pull repository's revision has, whoever asks (the agent reporting a new
 * revision, a person pinning an old one): it waits for approval and carries no manifests of its own, because the
 * agent renders them from the repository; the revision id stands in for their digest. It belongs to the repository's
 * application, whose history it is part of.
 */
export function pullRevisionRow(
  repo: { id: string; targetId: string; applicationId: string | null },
  source: { url: string; branch: string; path: string },
  revision: string,
) {
  return {
    targetId: repo.targetId,
    state: "pending-approval",
    sourceKind: "pull-revision",
    pullRepoId: repo.id,
    applicationId: repo.applicationId,
    revision,
    manifests: "",
    manifestsDigest: revision,
    gitUrl: source.url,
    gitRef: source.branch,
    gitPath: source.path,
  } as const;
}
