/**
 * Why a source could not be rendered. Codes are stable (the dashboard maps them to a 422 on the source, the agent to
 * its own codes); messages are for people: they name the file (relative to the repository root) and, when known, the
 * line, and never hold a temporary directory, a URL credential or an `[object Object]`.
 */
export type RenderErrorCode =
  /** helm, kustomize (or kubectl for kustomize) is not installed where Wharf runs. */
  | "RENDER_TOOL_MISSING"
  /** The tool ran and refused the source (template error, missing base, missing dependency …). */
  | "RENDER_FAILED"
  /** The source itself is not acceptable before any tool runs: a path outside the repository, a remote base. */
  | "SOURCE_INVALID"
  /** The path names nothing, or nothing renderable. */
  | "SOURCE_EMPTY"
  /** The repository tree, the rendered output or the run time is over its limit. */
  | "SOURCE_TOO_LARGE"
  | "RENDER_TIMEOUT"
  /** Rendered, but the output is not a valid manifest set (problems list file, document and line). */
  | "MANIFESTS_INVALID";

/** One problem at a place in a source: `file` relative to the repository root, `line` 1-based. */
export interface RenderProblem {
  file: string;
  document?: number;
  line?: number;
  message: string;
}

export class RenderError extends Error {
  override readonly name = "RenderError";
  constructor(
    readonly code: RenderErrorCode,
    message: string,
    /** Where, when the error is about one place (the first problem's file and line otherwise). */
    readonly problems: RenderProblem[] = [],
  ) {
    super(message);
  }

  get file(): string | undefined {
    return this.problems[0]?.file;
  }

  get line(): number | undefined {
    return this.problems[0]?.line;
  }
}

/** "deploy/web.yaml, line 7: message" — the one way a place is written in a message. */
export function formatPlace(problem: RenderProblem): string {
  return `${problem.file}${problem.document !== undefined ? `: document ${problem.document + 1}` : ""}${problem.line ? `${problem.document !== undefined ? "," : ":"} line ${problem.line}` : ""}: ${problem.message}`;
}

/** A value in a message: strings as they are, anything else as JSON (never `[object Object]`). */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
