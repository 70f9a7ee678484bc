import fs from "node:fs";
import path from "node:path";
import type { ObjectRef } from "@/lib/kube";
import { ZAssignments, type TAssignments } from "./protocol";

/** What the agent last applied successfully for one repo: enough to keep reconciling and to prune next time. */
export interface RepoRecord {
  /** Revision id (commit SHA, plus image tags when policies chose them). */
  revision: string;
  sha: string;
  /** Image tag per policy name in that revision. */
  images: Record<string, string>;
  /** Everything that revision applied, for the next prune. */
  inventory: ObjectRef[];
  appliedAt: string;
}

interface StateFile {
  assignments: TAssignments | null;
  repos: Record<string, RepoRecord>;
}

/**
 * The agent's state directory: the last assignments (so it keeps reconciling while Wharf is unreachable, even across
 * restarts), the last good revision per repo, and the agent credential in its own 0600 file. Writes are atomic
 * (temp file + rename), so a crash leaves the previous state, never a torn one.
 */
export class AgentState {
  readonly dir: string;
  readonly #file: string;
  readonly #credentialFile: string;
  #state: StateFile = { assignments: null, repos: {} };

  constructor(dir: string) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#file = path.join(dir, "state.json");
    this.#credentialFile = path.join(dir, "credential");
    if (fs.existsSync(this.#file)) {
      try {
        const raw = JSON.parse(fs.readFileSync(this.#file, "utf8")) as Partial<StateFile>;
        const parsed = raw.assignments ? ZAssignments.safeParse(raw.assignments) : undefined;
        this.#state = { assignments: parsed?.success ? parsed.data : null, repos: raw.repos ?? {} };
      } catch {
        // Unreadable state is not fatal: Wharf sends the assignments again and the next sync rebuilds the rest.
      }
    }
  }

  #save(): void {
    const tmp = `${this.#file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.#state), { mode: 0o600 });
    fs.renameSync(tmp, this.#file);
  }

  get assignments(): TAssignments | null {
    return this.#state.assignments;
  }

  setAssignments(assignments: TAssignments): void {
    this.#state.assignments = assignments;
    this.#save();
  }

  repo(repoId: string): RepoRecord | undefined {
    return this.#state.repos[repoId];
  }

  setRepo(repoId: string, record: RepoRecord): void {
    this.#state.repos[repoId] = record;
    this.#save();
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
