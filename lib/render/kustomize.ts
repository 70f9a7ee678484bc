import fs from "node:fs";
import path from "node:path";
import { LineCounter } from "yaml";
import { parseYamlDocuments } from "@/lib/kube/yaml";
import { runTool, ToolError } from "@/lib/process/run-tool";
import { describeValue, RenderError, type RenderProblem } from "./errors";
import { findKustomize, type RenderToolPaths } from "./tools";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** The kustomization file in `dir`, if any. */
export function kustomizationIn(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((file) => isFile(file));
}

function isFile(file: string): boolean {
  try {
    return fs.lstatSync(file).isFile();
  } catch {
    return false;
  }
}

function isDir(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Fields whose entries are other kustomizations (directories) or resource files, possibly outside the folder. */
const REFERENCE_FIELDS = ["resources", "bases", "components"] as const;
const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|[\w-]+(?:\.[\w-]+)+\/)|\?ref=|\/\/[^/]/i;

/**
 * Checks, before kustomize runs, what it would read beyond the files of each kustomization (which its load
 * restrictor already keeps inside that folder): every `resources`/`bases`/`components` entry, followed through
 * the bases, must be a file or directory inside the repository — `../base` is fine, a path leaving the repository
 * or a remote base (a URL kustomize would clone or download) is not. Problems name the kustomization file and line.
 */
export function checkKustomizationReferences(root: string, start: string): void {
  const problems: RenderProblem[] = [];
  const seen = new Set<string>();
  const rel = (p: string) => path.relative(root, p).split(path.sep).join("/") || ".";
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const file = kustomizationIn(dir);
    if (!file) return;
    const text = fs.readFileSync(file, "utf8");
    const lineCounter = new LineCounter();
    const [doc] = parseYamlDocuments(text, { lineCounter, prettyErrors: false });
    if (!doc) return;
    if (doc.errors[0]) {
      const pos = doc.errors[0].linePos?.[0];
      problems.push({
        file: rel(file),
        ...(pos ? { line: pos.line } : {}),
        message: `invalid YAML: ${doc.errors[0].message.split("\n")[0]}`,
      });
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (!value || typeof value !== "object" || Array.isArray(value)) return;
    for (const field of REFERENCE_FIELDS) {
      const list = (value as Record<string, unknown>)[field];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) {
        problems.push({ file: rel(file), message: `${field} must be a list, not ${describeValue(list)}` });
        continue;
      }
      list.forEach((entry: unknown, index) => {
        const node = doc.getIn([field, index], true) as { range?: [number, number] } | undefined;
        const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
        const at = { file: rel(file), ...(line ? { line } : {}) };
        if (typeof entry !== "string") {
          problems.push({ ...at, message: `${field} entry ${describeValue(entry)} is not a path` });
          return;
        }
        const target = path.resolve(dir, entry);
        const inside = target === root || target.startsWith(`${root}${path.sep}`);
        if (!inside || path.isAbsolute(entry)) {
          problems.push({ ...at, message: `${field} entry "${entry}" is outside the repository` });
        } else if (isDir(target)) {
          visit(target);
        } else if (!isFile(target)) {
          problems.push({
            ...at,
            message: REMOTE.test(entry)
              ? `${field} entry "${entry}" is a remote base, which Wharf does not fetch: vendor it in the repository`
              : `${field} entry "${entry}" is not a file or directory in the repository`,
          });
        }
      });
    }
  };
  visit(start);
  if (problems.length > 0)
    throw new RenderError(
      "SOURCE_INVALID",
      problems.map((p) => `${p.file}${p.line ? `, line ${p.line}` : ""}: ${p.message}`).join("; "),
      problems,
    );
}

export interface KustomizeOptions {
  /** The extracted repository (only regular files; see git-tree.ts). */
  root: string;
  /** The kustomization directory, absolute, inside `root`. */
  dir: string;
  tools: RenderToolPaths;
  timeoutMs: number;
  maxOutputBytes: number;
}

/** `kustomize build` (or `kubectl kustomize`) of `dir`; its output, or a RenderError naming the kustomization. */
export async function runKustomize(opts: KustomizeOptions): Promise<string> {
  const file = kustomizationIn(opts.dir) ?? path.join(opts.dir, "kustomization.yaml");
  const relFile = path.relative(opts.root, file).split(path.sep).join("/");
  checkKustomizationReferences(opts.root, opts.dir);
  const { command, args } = findKustomize(opts.tools, relFile);
  try {
    const { stdout } = await runTool(
      command,
      // The default restrictor, named so a changed default cannot widen it: files a kustomization reads stay in its
      // folder; bases elsewhere in the repository were checked above.
      [...args, "--load-restrictor", "LoadRestrictionsRootOnly", opts.dir],
      { cwd: opts.root, home: opts.root, timeoutMs: opts.timeoutMs, maxOutputBytes: opts.maxOutputBytes },
    );
    return stdout.toString("utf8");
  } catch (err) {
    const tool = path.basename(command) === "kubectl" ? "kubectl kustomize" : "kustomize";
    throw toolFailure(err, tool, relFile, opts.root, opts.timeoutMs, opts.maxOutputBytes);
  }
}

/** A ToolError as a RenderError: the tool's own reason without the temporary directory, at `file` (and a line). */
export function toolFailure(
  err: unknown,
  tool: string,
  file: string,
  root: string,
  timeoutMs: number,
  maxOutputBytes: number,
): RenderError {
  if (!(err instanceof ToolError)) return new RenderError("RENDER_FAILED", `${tool} failed on ${file}: ${String(err)}`);
  if (err.kind === "timeout")
    return new RenderError("RENDER_TIMEOUT", `${tool} took longer than ${Math.round(timeoutMs / 1000)} s on ${file}.`, [
      { file, message: "timed out" },
    ]);
  if (err.kind === "output-limit")
    return new RenderError(
      "SOURCE_TOO_LARGE",
      `${tool} rendered more than ${Math.round(maxOutputBytes / 1024 / 1024)} MiB from ${file}.`,
      [{ file, message: "rendered output too large" }],
    );
  // From the tool's `Error:` line to the end, on one line: kustomize spreads one error over several (the config it
  // could not use, then why), and the why is the part people need.
  const lines = stripRoot(err.stderr || err.reason, root)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const from = lines.findIndex((l) => /^error:/i.test(l));
  const joined = (from >= 0 ? lines.slice(from) : lines).join(" ");
  const reason = (joined.length > 600 ? `${joined.slice(0, 600)}…` : joined) || `exited with ${err.exitCode}`;
  const line = /\bline (\d+)/.exec(reason)?.[1];
  return new RenderError("RENDER_FAILED", `${tool} could not render ${file}: ${reason.replace(/^error:\s*/i, "")}`, [
    { file, ...(line ? { line: Number(line) } : {}), message: reason },
  ]);
}

/** Removes the temporary directory from a tool's words: paths read as the repository's own. */
export function stripRoot(text: string, root: string): string {
  return text.split(`${root}${path.sep}`).join("").split(root).join(".");
}
