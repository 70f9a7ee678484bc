import fs from "node:fs";
import path from "node:path";
import type { ObjectRef } from "@/lib/kube";
import { specDigestOfRevision, specOf, ZAssignments, type TAssignments, type TRepoSpec } from "./protocol";
import { specDigestOf } from "./spec";

/** What the agent last applied successfully for one repo: enough to keep reconciling and to prune next time. */
export interface RepoRecord {
  /** Revision id (commit SHA, plus image tags when policies chose them). */
  revision: string;
  sha: string;
  /** Image tag per policy name in that revision. */
  images: Record<string, string>;
  /**
   * The spec (URL, branch, path, prune, image policies) that revision was applied with: drift checks and self-heal
   * rebuild exactly those objects, whatever the repository's settings say now. Absent in records written before
   * specs were recorded (see adoptLegacySpecs).
   */
  spec?: TRepoSpec;
  /** Everything that revision applied, for the next prune. */
  inventory: ObjectRef[];
  appliedAt: string;
}

/**
 * The agent's state directory: the last assignments (so it keeps reconciling while Wharf is unreachable, even across
 * restarts), the last good revision per repo (one small file each, so a sync rewrites only its own record, not the
 * state of a thousand repos), and the agent credential in its own 0600 file. Writes are atomic (temp file + rename),
 * so a crash leaves the previous state, never a torn one.
 */
export class AgentState {
  readonly dir: string;
  readonly #assignmentsFile: string;
  readonly #reposDir: string;
  readonly #credentialFile: string;
  #assignments: TAssignments | null = null;
  readonly #repos = new Map<string, RepoRecord>();

  constructor(dir: string) {
    this.dir = dir;
    this.#assignmentsFile = path.join(dir, "assignments.json");
    this.#reposDir = path.join(dir, "repos");
    this.#credentialFile = path.join(dir, "credential");
    fs.mkdirSync(this.#reposDir, { recursive: true, mode: 0o700 });
    // Unreadable state is never fatal: Wharf sends the assignments again and the next sync rebuilds a repo's record.
    try {
      const parsed = ZAssignments.safeParse(JSON.parse(fs.readFileSync(this.#assignmentsFile, "utf8")));
      if (parsed.success) this.#assignments = parsed.data;
    } catch {
      this.#assignments = null;
    }
    for (const file of fs.readdirSync(this.#reposDir)) {
      if (!file.endsWith(".json")) continue;
      try {
        const record = JSON.parse(fs.readFileSync(path.join(this.#reposDir, file), "utf8")) as RepoRecord & {
          repoId: string;
        };
        if (typeof record.repoId === "string" && typeof record.revision === "string")
          this.#repos.set(record.repoId, record);
      } catch {
        // skip a record that cannot be read
      }
    }
  }

  #write(file: string, value: unknown): void {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  get assignments(): TAssignments | null {
    return this.#assignments;
  }

  setAssignments(assignments: TAssignments): void {
    this.#assignments = assignments;
    this.#write(this.#assignmentsFile, assignments);
  }

  repo(repoId: string): RepoRecord | undefined {
    return this.#repos.get(repoId);
  }

  setRepo(repoId: string, record: RepoRecord): void {
    this.#repos.set(repoId, record);
    // Repo ids come from Wharf; encoded so no id can name a path outside the directory.
    this.#write(path.join(this.#reposDir, `${Buffer.from(repoId).toString("base64url")}.json`), { ...record, repoId });
  }

  /**
   * Records written before the agent recorded specs get the spec of the assignments persisted with them — the
   * settings the agent was following when it applied them — and the revision id that names it, once, at start-up
   * (before Wharf's next answer, which may already carry changed settings that are not approved yet).
   */
  adoptLegacySpecs(): void {
    for (const target of this.#assignments?.targets ?? []) {
      for (const repo of target.repos) {
        const record = this.#repos.get(repo.repoId);
        if (!record || record.spec) continue;
        const spec = specOf(repo);
        const revision =
          specDigestOfRevision(record.revision) === null ? `${record.revision}@${specDigestOf(spec)}` : record.revision;
        this.setRepo(repo.repoId, { ...record, revision, spec });
      }
    }
  }

  /** The persisted agent credential, if enrolment already happened. */
  readCredential(): string | undefined {
    try {
      return fs.readFileSync(this.#credentialFile, "utf8").trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** Persists the credential readable by the agent's user only. */
  writeCredential(credential: string): void {
    const tmp = `${this.#credentialFile}.tmp`;
    fs.writeFileSync(tmp, `${credential}\n`, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, this.#credentialFile);
  }
}
