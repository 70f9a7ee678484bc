/**
 * Why the git client refused or failed. Codes are stable: the dashboard maps them to a 422 on the source's field,
 * the agent to its own codes. Messages name the URL (credentials redacted), the ref or the path, never git's own
 * words about a remote (those go to the caller's log only: see `UNREACHABLE`).
 */
export type GitErrorCode =
  /** A `file://` URL outside the administrator's local roots (or none allowed). */
  | "URL_NOT_ALLOWED"
  /** Anything a remote did that is not "no such ref": closed port, empty reply, timeout, missing repository, auth. */
  | "UNREACHABLE"
  /** The remote answered like a git server without this branch, tag or commit. */
  | "REF_MISSING"
  /** A path that leaves the repository ("..", absolute, empty segments). */
  | "PATH_INVALID"
  /** The path names nothing at the commit. */
  | "PATH_MISSING"
  /** The files to read are over the size cap. */
  | "TOO_LARGE"
  /** A local git command failed (a corrupt cache, an unexpected answer). */
  | "FAILED";

export class GitError extends Error {
  override readonly name = "GitError";
  constructor(
    readonly code: GitErrorCode,
    message: string,
  ) {
    super(message);
  }
}
