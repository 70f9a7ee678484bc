import "server-only";
import {
  renderOf,
  specDigestOfRevision,
  ZRepoRender,
  ZRepoSpec,
  type TRepoRender,
  type TRepoSpec,
  type TRepoState,
} from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { db, type Tx } from "@/lib/db";
import { parseImagePolicies } from "./to-repo-view";

/**
 * The columns of a PullRepo row that make up its spec, with its application's render options (read them with
 * SPEC_INCLUDE: required, so a read that forgets them does not compile; null for a repository without an
 * application, which renders with the defaults).
 */
export interface RepoSpecColumns {
  url: string;
  branch: string;
  path: string;
  prune: boolean;
  imagePolicies: string;
  application: { renderOptions: string } | null;
}

/** What a PullRepo read includes for specOfRow: its application's render options. */
export const SPEC_INCLUDE = { application: { select: { renderOptions: true } } } as const;

/**
 * An application's stored render options (Application.renderOptions, ZRenderOptions JSON) as the agent takes them;
 * undefined for the defaults, and for a value that does not parse (written by hand: rendered as `auto`, as before
 * render options existed, rather than failing every assignment of the agent).
 */
export function renderOfStored(stored: string | null | undefined): TRepoRender | undefined {
  if (!stored) return undefined;
  try {
    const parsed = ZRepoRender.safeParse(JSON.parse(stored));
    return parsed.success ? renderOf(parsed.data) : undefined;
  } catch {
    return undefined;
  }
}

/** A repository row's apply-relevant spec, as the agent receives it in its assignment. */
export function specOfRow(row: RepoSpecColumns): TRepoSpec {
  const render = renderOfStored(row.application?.renderOptions);
  return {
    url: row.url,
    branch: row.branch,
    path: row.path,
    prune: row.prune,
    imagePolicies: parseImagePolicies(row.imagePolicies),
    ...(render ? { render } : {}),
  };
}

/** The digest of a repository row's current spec: what the revision id of anything it would apply now ends with. */
export function currentSpecDigest(row: RepoSpecColumns): string {
  return specDigestOf(specOfRow(row));
}

/**
 * Keeps a spec a repository has had, by digest (once: a spec set again keeps its first row and author), so a
 * revision approved or pinned with it can be served with it later. Returns the digest.
 */
export async function recordRepoSpec(
  tx: Tx,
  opts: { repoId: string; spec: TRepoSpec; createdById: string | null },
): Promise<string> {
  const digest = specDigestOf(opts.spec);
  await tx.pullRepoSpec.upsert({
    where: { repoId_digest: { repoId: opts.repoId, digest } },
    create: { repoId: opts.repoId, digest, spec: JSON.stringify(opts.spec), createdById: opts.createdById },
    update: {},
  });
  return digest;
}

/**
 * Who chose the settings a pull revision is made with, while no revision of those settings has been approved yet:
 * the author of the change (or the registration) that introduced them. They are banned from approving it like a
 * requester, so a changed path or branch needs someone else's approval as a new commit does; once someone else has
 * approved the settings, later commits under them ban only their own requester and author. Null when recorded on the
 * repository's behalf or already approved.
 */
export async function settingsAuthorOf(tx: Tx, opts: { repoId: string; digest: string }): Promise<string | null> {
  const row = await tx.pullRepoSpec.findUnique({
    where: { repoId_digest: { repoId: opts.repoId, digest: opts.digest } },
    select: { createdById: true },
  });
  if (!row?.createdById) return null;
  const approvedBefore = await tx.deployment.count({
    where: {
      sourceKind: "pull-revision",
      pullRepoId: opts.repoId,
      revision: { endsWith: `@${opts.digest}` },
      state: { in: ["approved", "queued", "running", "succeeded"] },
    },
  });
  return approvedBefore > 0 ? null : row.createdById;
}

/** A stored spec (PullRepoSpec.spec), or null when it does not parse. */
export function parseSpec(stored: string): TRepoSpec | null {
  try {
    const parsed = ZRepoSpec.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The spec each named revision was made with, for the assignments: found by the digest in the revision id (the
 * current settings when the digest is theirs, even before a row was recorded). An id without a digest (from an agent
 * older than spec digests) gets the oldest recorded spec, which for a repository registered before them is the one
 * it had when its settings were first changed afterwards — or its current settings, if they never were. A digest
 * Wharf never recorded gets null: the agent then applies nothing new on a target that requires approvals.
 */
export async function specsOfRevisions(
  wanted: { repo: RepoSpecColumns & { id: string }; revision: string }[],
): Promise<RevisionSpecs> {
  const key = (repoId: string, revision: string) => `${repoId}\u0000${revision}`;
  const out = new Map<string, TRepoSpec | null>();
  const lookups: { repoId: string; revision: string; digest: string }[] = [];
  const legacy: { repo: RepoSpecColumns & { id: string }; revision: string }[] = [];
  for (const w of wanted) {
    const digest = specDigestOfRevision(w.revision);
    if (digest === null) legacy.push(w);
    else if (digest === currentSpecDigest(w.repo)) out.set(key(w.repo.id, w.revision), specOfRow(w.repo));
    else lookups.push({ repoId: w.repo.id, revision: w.revision, digest });
  }
  if (lookups.length > 0) {
    const rows = await db().pullRepoSpec.findMany({
      where: {
        repoId: { in: [...new Set(lookups.map((l) => l.repoId))] },
        digest: { in: [...new Set(lookups.map((l) => l.digest))] },
      },
      select: { repoId: true, digest: true, spec: true },
    });
    const byKey = new Map(rows.map((r) => [`${r.repoId}\u0000${r.digest}`, r.spec]));
    for (const l of lookups) {
      const stored = byKey.get(`${l.repoId}\u0000${l.digest}`);
      // The stored JSON must still hash to its digest: a row edited by hand is not served.
      const spec = stored ? parseSpec(stored) : null;
      out.set(key(l.repoId, l.revision), spec && specDigestOf(spec) === l.digest ? spec : null);
    }
  }
  if (legacy.length > 0) {
    // One read for all of them (a repository keeps few specs), oldest first, so the first seen per repository wins.
    const rows = await db().pullRepoSpec.findMany({
      where: { repoId: { in: [...new Set(legacy.map((l) => l.repo.id))] } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { repoId: true, spec: true },
    });
    const oldest = new Map<string, string>();
    for (const r of rows) if (!oldest.has(r.repoId)) oldest.set(r.repoId, r.spec);
    for (const l of legacy) {
      const stored = oldest.get(l.repo.id);
      out.set(key(l.repo.id, l.revision), stored ? parseSpec(stored) : specOfRow(l.repo));
    }
  }
  return { get: (repoId, revision) => out.get(key(repoId, revision)) ?? null };
}

/** The answer of specsOfRevisions: the spec of one repository's revision, or null when unknown. */
export interface RevisionSpecs {
  get(repoId: string, revision: string): TRepoSpec | null;
}

/**
 * The repository state Wharf stores for what an agent reports: `in-sync` only when the reported revision was made
 * with the repository's current spec. An agent that has not seen a change of settings yet (a heartbeat already on
 * its way), or keeps the approved revision while the changed settings wait for approval, does not match what the
 * repository now asks for, and the status card must not say otherwise. Ids without a digest (older agents) are
 * taken as reported.
 */
export function stateAgainstSpec(state: TRepoState, revision: string | null, row: RepoSpecColumns): TRepoState {
  if (state !== "in-sync" || !revision) return state;
  const digest = specDigestOfRevision(revision);
  return digest !== null && digest !== currentSpecDigest(row) ? "out-of-sync" : state;
}
