import fs from "node:fs";
import path from "node:path";
import { parseYamlValue } from "@/lib/kube/yaml";
import { runTool } from "@/lib/process/run-tool";
import { describeValue, RenderError } from "./errors";
import { stripRoot, toolFailure } from "./kustomize";
import { findHelm, type RenderToolPaths } from "./tools";

/** What `helm template` is told about the release; the application decides, the target's discovery fills in versions. */
export interface HelmOptions {
  releaseName: string;
  namespace: string;
  /** Values files, relative to the chart directory (`values-prod.yaml`, `../shared/values.yaml`); inside the repository. */
  valuesFiles?: string[];
  /** Inline values, applied after the files. */
  values?: Record<string, unknown>;
  /** The target's version (`v1.34.4`), for `.Capabilities.KubeVersion`. */
  kubeVersion?: string;
  /** The target's group/versions (and `group/version/Kind`s), for `.Capabilities.APIVersions`. */
  apiVersions?: string[];
  /**
   * Chart repositories dependencies may be fetched from (the application lists them); none by default, and then a
   * dependency must be vendored in the chart's `charts/` folder.
   */
  repositories?: { name: string; url: string }[];
}

const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;

interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
}

function readChart(chartFile: string, relChart: string): { name: string; dependencies: ChartDependency[] } {
  let chart: unknown;
  try {
    chart = parseYamlValue(fs.readFileSync(chartFile, "utf8"));
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new RenderError(
      "SOURCE_INVALID",
      `${relChart}${line ? `, line ${line}` : ""}: invalid YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
      [{ file: relChart, ...(line ? { line } : {}), message: "invalid YAML" }],
    );
  }
  const record = chart && typeof chart === "object" ? (chart as Record<string, unknown>) : {};
  const name = typeof record.name === "string" ? record.name : "";
  if (!name)
    throw new RenderError("SOURCE_INVALID", `${relChart}: the chart has no name.`, [
      { file: relChart, message: "no name" },
    ]);
  const deps = Array.isArray(record.dependencies) ? record.dependencies : [];
  return {
    name,
    dependencies: deps.map((d: unknown) => {
      const dep = d && typeof d === "object" ? (d as Record<string, unknown>) : {};
      if (typeof dep.name !== "string")
        throw new RenderError("SOURCE_INVALID", `${relChart}: a dependency has no name (${describeValue(d)}).`, [
          { file: relChart, message: "dependency without a name" },
        ]);
      return {
        name: dep.name,
        ...(typeof dep.version === "string" ? { version: dep.version } : {}),
        ...(typeof dep.repository === "string" ? { repository: dep.repository } : {}),
      };
    }),
  };
}

/** Whether `charts/` holds the dependency, unpacked (`charts/<name>/`) or packed (`charts/<name>-<version>.tgz`). */
function vendored(chartDir: string, dep: ChartDependency): boolean {
  const charts = path.join(chartDir, "charts");
  if (fs.existsSync(path.join(charts, dep.name, "Chart.yaml"))) return true;
  try {
    return fs.readdirSync(charts).some((f) => f.startsWith(`${dep.name}-`) && f.endsWith(".tgz"));
  } catch {
    return false;
  }
}

export interface HelmRunOptions {
  root: string;
  /** The chart directory, absolute, inside `root`. */
  dir: string;
  /** A private scratch directory (Helm's home, caches, config); the caller removes it. */
  scratch: string;
  helm: HelmOptions;
  tools: RenderToolPaths;
  timeoutMs: number;
  maxOutputBytes: number;
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(`${root}${path.sep}`);
}

/**
 * `helm template` of the chart at `dir`: the release name and namespace given, values files then inline values,
 * CRDs included and test hooks left out, the target's versions. Helm's home, caches and repository and registry
 * configuration are empty files under `scratch`, so no configuration of the machine's user is read, and nothing is
 * fetched unless the caller listed its repository. Returns the output.
 */
export async function runHelm(opts: HelmRunOptions): Promise<string> {
  const rel = (p: string) => path.relative(opts.root, p).split(path.sep).join("/") || ".";
  const chartFile = path.join(opts.dir, "Chart.yaml");
  const relChart = rel(chartFile);
  const { releaseName, namespace } = opts.helm;
  if (!RELEASE_NAME.test(releaseName))
    throw new RenderError(
      "SOURCE_INVALID",
      `"${releaseName}" cannot be a Helm release name: lowercase letters, digits and "-", at most 53 characters.`,
    );
  const chart = readChart(chartFile, relChart);
  const helm = findHelm(opts.tools, relChart);

  const home = path.join(opts.scratch, "home");
  for (const d of ["home", "cache", "config", "data", "plugins", "repository-cache"])
    fs.mkdirSync(path.join(opts.scratch, d), { recursive: true });
  const repositoryConfig = path.join(opts.scratch, "repositories.yaml");
  const repositories = opts.helm.repositories ?? [];
  fs.writeFileSync(
    repositoryConfig,
    JSON.stringify({
      apiVersion: "",
      generated: "0001-01-01T00:00:00Z",
      repositories: repositories.map((r) => ({ name: r.name, url: r.url })),
    }),
  );
  const registryConfig = path.join(opts.scratch, "registry.json");
  fs.writeFileSync(registryConfig, "{}");
  const common = [
    "--repository-config",
    repositoryConfig,
    "--registry-config",
    registryConfig,
    "--repository-cache",
    path.join(opts.scratch, "repository-cache"),
  ];
  const env = {
    HELM_CACHE_HOME: path.join(opts.scratch, "cache"),
    HELM_CONFIG_HOME: path.join(opts.scratch, "config"),
    HELM_DATA_HOME: path.join(opts.scratch, "data"),
    HELM_PLUGINS: path.join(opts.scratch, "plugins"),
    HELM_REPOSITORY_CONFIG: repositoryConfig,
    HELM_REGISTRY_CONFIG: registryConfig,
    HELM_REPOSITORY_CACHE: path.join(opts.scratch, "repository-cache"),
  };
  const run = async (args: string[]) => {
    try {
      return (
        await runTool(helm, args, {
          cwd: opts.root,
          home,
          env,
          timeoutMs: opts.timeoutMs,
          maxOutputBytes: opts.maxOutputBytes,
        })
      ).stdout.toString("utf8");
    } catch (err) {
      throw helmFailure(
        toolFailure(err, "helm", relChart, opts.root, opts.timeoutMs, opts.maxOutputBytes),
        opts.dir,
        opts.root,
        chart.name,
      );
    }
  };

  // Dependencies: vendored in charts/, or fetched from a repository the application lists — never from elsewhere.
  const missing = chart.dependencies.filter((d) => !vendored(opts.dir, d));
  if (missing.length > 0) {
    const allowed = (repo: string | undefined) =>
      repo !== undefined &&
      repositories.some(
        (r) =>
          repo === r.url ||
          repo.replace(/\/+$/, "") === r.url.replace(/\/+$/, "") ||
          repo === `@${r.name}` ||
          repo === `alias:${r.name}`,
      );
    const refused = missing.filter((d) => !allowed(d.repository));
    if (refused.length > 0)
      throw new RenderError(
        "RENDER_FAILED",
        `${relChart}: the dependenc${refused.length === 1 ? "y" : "ies"} ${refused.map((d) => `${d.name}${d.repository ? ` (${d.repository})` : ""}`).join(", ")} ${refused.length === 1 ? "is" : "are"} not in the chart's charts/ folder: vendor ${refused.length === 1 ? "it" : "them"} there (helm dependency build) or list the chart repository in the application.`,
        [{ file: relChart, message: "dependency not vendored" }],
      );
    await run(["dependency", "build", opts.dir, "--skip-refresh", ...common]).catch(async (err: unknown) => {
      // --skip-refresh needs an index already cached; a first build fetches it from the listed repositories only.
      if (!(err instanceof RenderError)) throw err;
      await run(["dependency", "build", opts.dir, ...common]);
    });
  }

  const args = [
    "template",
    releaseName,
    opts.dir,
    "--namespace",
    namespace,
    "--include-crds",
    "--skip-tests",
    ...common,
  ];
  for (const file of opts.helm.valuesFiles ?? []) {
    const resolved = path.resolve(opts.dir, file);
    if (!inside(opts.root, resolved) || path.isAbsolute(file))
      throw new RenderError("SOURCE_INVALID", `The values file "${file}" is outside the repository.`, [
        { file: relChart, message: `values file ${file} outside the repository` },
      ]);
    if (!fs.existsSync(resolved))
      throw new RenderError("SOURCE_INVALID", `The values file ${rel(resolved)} does not exist in the repository.`, [
        { file: rel(resolved), message: "values file not found" },
      ]);
    args.push("--values", resolved);
  }
  if (opts.helm.values && Object.keys(opts.helm.values).length > 0) {
    // JSON is YAML: Helm reads it as one more values file, last, so it wins.
    const inline = path.join(opts.scratch, "inline-values.json");
    fs.writeFileSync(inline, JSON.stringify(opts.helm.values));
    args.push("--values", inline);
  }
  if (opts.helm.kubeVersion) args.push("--kube-version", opts.helm.kubeVersion);
  for (const v of opts.helm.apiVersions ?? []) args.push("--api-versions", v);
  return run(args);
}

/**
 * Helm names templates `<chart name>/templates/x.yaml:12:3`; written as the repository's paths
 * (`<chart dir>/templates/x.yaml`, line 12) so the message points at the file to change.
 */
function helmFailure(err: RenderError, chartDir: string, root: string, chartName: string): RenderError {
  const relDir = path.relative(root, chartDir).split(path.sep).join("/");
  const prefix = relDir ? `${relDir}/` : "";
  const repoPath = (p: string) =>
    p === chartName || p.startsWith(`${chartName}/`) ? `${prefix}${p.slice(chartName.length + 1)}` : p;
  const message = err.message.replace(
    new RegExp(`(?<![\\w/.-])${chartName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/[\\w./-]+`, "g"),
    (m) => repoPath(m),
  );
  const where =
    /([\w./-]+\.(?:ya?ml|tpl|txt|json)):(\d+)(?::\d+)?/.exec(message) ??
    /(?:parse error on|YAML parse error on) ([\w./-]+)[^]*?\bline (\d+)/.exec(message);
  if (!where) return new RenderError(err.code, message, err.problems);
  return new RenderError(err.code, message, [
    { file: where[1]!, line: Number(where[2]), message: stripRoot(message, root) },
  ]);
}

/** The chart's templates in Helm's output, one file each: `# Source: <chart>/templates/x.yaml` headers, as repository paths. */
export function splitHelmOutput(
  output: string,
  chartDir: string,
  chartName: string,
): { path: string; content: string }[] {
  const files = new Map<string, string[]>();
  const prefix = chartDir && chartDir !== "." ? `${chartDir}/` : "";
  for (const chunk of output.split(/^---[ \t]*$/m)) {
    if (!chunk.trim()) continue;
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1]?.trim();
    const file = source
      ? source === chartName || source.startsWith(`${chartName}/`)
        ? `${prefix}${source.slice(chartName.length + 1)}`
        : `${prefix}${source}`
      : `${prefix}Chart.yaml (rendered)`;
    const list = files.get(file) ?? [];
    list.push(chunk.replace(/^\n+/, ""));
    files.set(file, list);
  }
  return [...files].map(([file, docs]) => ({ path: file, content: docs.join("---\n") }));
}

/** The chart's name (Helm prefixes template paths with it). */
export function chartName(chartDir: string): string {
  const value = parseYamlValue(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8"));
  return value && typeof value === "object" && typeof (value as { name?: unknown }).name === "string"
    ? (value as { name: string }).name
    : path.basename(chartDir);
}

/**
 * The release name when the application names none: the chart folder's name (the repository's, for a chart at its
 * root), made a valid release name — so the dashboard and the agent render one chart the same way.
 */
export function defaultReleaseName(sourcePath: string, repositoryUrl: string): string {
  const segments = sourcePath.split("/").filter((p) => p && p !== ".");
  const base =
    segments[segments.length - 1] ??
    repositoryUrl
      .replace(/[?#].*$/, "")
      .replace(/\/+$/, "")
      .replace(/\.git$/, "")
      .split(/[/:]/)
      .pop() ??
    "";
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 53)
    .replace(/-+$/, "");
  return name || "release";
}
