import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ManifestError, parseManifestFiles, type ParsedManifest } from "@/lib/kube/manifests";
import { MANIFEST_FILE } from "@/lib/process/git";
import { RenderError, type RenderProblem } from "./errors";
import { chartName, runHelm, splitHelmOutput, type HelmOptions } from "./helm";
import { kustomizationIn, KUSTOMIZATION_FILES, runKustomize } from "./kustomize";
import type { RenderToolPaths } from "./tools";

export type SourceKind = "plain" | "kustomize" | "helm";

export interface RenderLimits {
  /** Per tool run; default 120 s. */
  timeoutMs?: number;
  /** Largest rendered output (and largest set of plain files); default 64 MiB — kube-prometheus renders ~10 MB. */
  maxOutputBytes?: number;
}

export const RENDER_DEFAULTS = { timeoutMs: 120_000, maxOutputBytes: 64 * 1024 * 1024 } as const;

export interface RenderSourceOptions {
  /** The repository's files (regular files only: see git-tree.ts); nothing outside it is read. */
  dir: string;
  /** The source inside `dir`, "/"-separated: a folder, or a single YAML/JSON file; "" or "." is the root. */
  path: string;
  /** `auto` (default): Chart.yaml → helm, a kustomization file → kustomize, otherwise the YAML/JSON files. */
  kind?: "auto" | SourceKind;
  /** Required for a Helm chart (release name and namespace at least). */
  helm?: HelmOptions;
  limits?: RenderLimits;
  tools?: RenderToolPaths;
  /** Parse and validate the output (default); `false` when the caller parses the files itself. */
  parse?: boolean;
}

export interface RenderedSource {
  kind: SourceKind;
  /**
   * The rendered text per source file, paths from the repository root: plain files as they are, a chart's
   * templates one file each, a kustomization's output as `<path>/kustomization.yaml (rendered)`.
   */
  files: { path: string; content: string }[];
  /** Parsed objects with their file, document and line; empty when `parse: false`. */
  manifests: ParsedManifest[];
}

function normalize(p: string): string {
  return p
    .replace(/\\/g, "/")
    .split("/")
    .filter((part) => part && part !== ".")
    .join("/");
}

/** Which renderer a folder needs: a Chart.yaml makes it a chart, a kustomization file a kustomization. */
export function detectKind(names: readonly string[]): SourceKind {
  if (names.includes("Chart.yaml")) return "helm";
  if (KUSTOMIZATION_FILES.some((n) => names.includes(n))) return "kustomize";
  return "plain";
}

function plainFiles(root: string, start: string, maxBytes: number): { path: string; content: string }[] {
  const out: { path: string; abs: string }[] = [];
  let total = 0;
  const rel = (p: string) => path.relative(root, p).split(path.sep).join("/");
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      // Hidden files and folders (.github workflows are YAML, not Kubernetes) and symlinks are never read.
      if (entry.name.startsWith(".")) continue;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) out.push({ path: rel(abs), abs });
    }
  };
  const stat = fs.lstatSync(start);
  if (stat.isDirectory()) walk(start);
  else if (stat.isFile()) out.push({ path: rel(start), abs: start });
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out.map((f) => {
    total += fs.statSync(f.abs).size;
    if (total > maxBytes)
      throw new RenderError(
        "SOURCE_TOO_LARGE",
        `The manifests at "${rel(start) || "."}" are larger than ${Math.round(maxBytes / 1024 / 1024)} MiB.`,
      );
    return { path: f.path, content: fs.readFileSync(f.abs, "utf8") };
  });
}

/**
 * Parses rendered files as one manifest set with lib/kube's bounded parser (aliases, documents, duplicates); a
 * MANIFESTS_INVALID RenderError lists file, document and line of every problem.
 */
export function parseRendered(files: { path: string; content: string }[]): ParsedManifest[] {
  try {
    return parseManifestFiles(files);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    const problems: RenderProblem[] = err.problems.map((p) => ({
      file: p.source ?? "(unknown file)",
      document: p.documentIndex,
      ...(p.line === undefined ? {} : { line: p.line }),
      message: p.message,
    }));
    throw new RenderError("MANIFESTS_INVALID", err.message, problems);
  }
}

/**
 * The one renderer of Wharf, for push sources (the dashboard) and pull sources (the agent) alike: a folder of
 * YAML/JSON, a kustomization (`kustomize build`, bases anywhere in the repository) or a Helm chart (`helm template`),
 * run through lib/process/run-tool.ts (minimal environment, timeout, output cap). Errors are RenderErrors naming the
 * file and, when known, the line.
 */
export async function renderSource(opts: RenderSourceOptions): Promise<RenderedSource> {
  const root = fs.realpathSync(opts.dir);
  const rel = normalize(opts.path);
  const target = path.join(root, ...rel.split("/").filter(Boolean));
  const limits = { ...RENDER_DEFAULTS, ...opts.limits };
  const tools = opts.tools ?? {};
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(target);
  } catch {
    stat = undefined;
  }
  if (!stat || (!stat.isDirectory() && !stat.isFile()))
    throw new RenderError("SOURCE_EMPTY", `The repository has no file or directory "${rel || "."}".`);
  const kind =
    opts.kind && opts.kind !== "auto" ? opts.kind : stat.isDirectory() ? detectKind(fs.readdirSync(target)) : "plain";

  let files: { path: string; content: string }[];
  if (kind === "plain") {
    files = plainFiles(root, target, limits.maxOutputBytes);
    if (files.length === 0)
      throw new RenderError("SOURCE_EMPTY", `"${rel || "."}" holds no .yaml, .yml or .json files.`);
  } else if (kind === "kustomize") {
    if (!kustomizationIn(target)) throw new RenderError("SOURCE_EMPTY", `"${rel || "."}" has no kustomization.yaml.`);
    const output = await runKustomize({ root, dir: target, tools, ...limits });
    files = [{ path: `${rel ? `${rel}/` : ""}kustomization.yaml (rendered)`, content: output }];
  } else {
    if (!fs.existsSync(path.join(target, "Chart.yaml")))
      throw new RenderError("SOURCE_EMPTY", `"${rel || "."}" has no Chart.yaml.`);
    if (!opts.helm)
      throw new RenderError(
        "SOURCE_INVALID",
        `${rel ? `${rel}/` : ""}Chart.yaml is a Helm chart, and no release name and namespace were given.`,
      );
    const scratch = await mkdtemp(path.join(os.tmpdir(), "wharf-helm-"));
    try {
      const output = await runHelm({ root, dir: target, scratch, helm: opts.helm, tools, ...limits });
      files = splitHelmOutput(output, rel, chartName(target));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return { kind, files, manifests: opts.parse === false ? [] : parseRendered(files) };
}
