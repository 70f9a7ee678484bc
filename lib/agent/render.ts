import type { KubeClient, KubeObject } from "@/lib/kube";
import { parseRendered, RenderError, type RenderProblem } from "@/lib/render";
import { AgentError } from "./errors";
import type { ManifestFile } from "./git";

/**
 * Parses a revision's files into objects with lib/kube's parser. Any problem in any file rejects the whole revision
 * (an AgentError MANIFESTS_INVALID whose `details.problems` lists file, document and line for each), so a half-valid
 * commit never reaches the cluster.
 */
export function renderManifests(files: ManifestFile[]): KubeObject[] {
  try {
    return parseRendered(files).map((m) => m.object);
  } catch (err) {
    if (!(err instanceof RenderError) || err.code !== "MANIFESTS_INVALID") throw err;
    const problems = err.problems;
    throw new AgentError("MANIFESTS_INVALID", summarizeProblems(problems), { details: { problems } });
  }
}

/** "deploy/web.yaml: document 2, line 7: invalid YAML: …" for the first problems, with a count of the rest. */
export function summarizeProblems(problems: RenderProblem[]): string {
  const shown = problems
    .slice(0, 3)
    .map((p) => `${p.file}: document ${(p.document ?? 0) + 1}${p.line ? `, line ${p.line}` : ""}: ${p.message}`);
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : "";
  return `${problems.length === 1 ? "invalid manifest" : `${problems.length} manifest problems`}: ${shown.join("; ")}${more}`;
}

/** The part of a target assignment that decides where objects may go. */
export interface NamespaceScope {
  defaultNamespace: string;
  allowedNamespaces: string[];
  allowClusterScoped: boolean;
}

/**
 * Puts namespaced objects without a namespace into the target's default namespace and rejects objects outside the
 * target's scope (another namespace, or cluster-scoped when not allowed) — before anything is applied, as the
 * dashboard does for push targets. Kinds the server does not serve yet (a CRD in the same set) are left to apply.
 */
export async function scopeObjects(
  client: KubeClient,
  objects: KubeObject[],
  scope: NamespaceScope,
): Promise<KubeObject[]> {
  const allowed = new Set([scope.defaultNamespace, ...scope.allowedNamespaces]);
  const problems: RenderProblem[] = [];
  const out: KubeObject[] = [];
  for (const original of objects) {
    const obj = structuredClone(original);
    const resource = await client.resourceFor(obj.apiVersion, obj.kind).catch(() => undefined);
    const where = `${obj.kind} ${obj.metadata.name}`;
    if (resource?.namespaced === false || (!resource && !obj.metadata.namespace && obj.kind === "Namespace")) {
      if (!scope.allowClusterScoped)
        problems.push({
          file: where,
          message: `${where} is cluster-scoped, and this target does not allow cluster-scoped objects`,
        });
      delete obj.metadata.namespace;
    } else if (resource?.namespaced) {
      obj.metadata.namespace ??= scope.defaultNamespace;
    }
    const ns = obj.metadata.namespace;
    if (ns && !allowed.has(ns))
      problems.push({
        file: where,
        message: `${where} is in namespace ${ns}, outside this target's namespaces (${[...allowed].join(", ")})`,
      });
    out.push(obj);
  }
  if (problems.length > 0)
    throw new AgentError("MANIFESTS_INVALID", summarizeScope(problems), { details: { problems } });
  return out;
}

function summarizeScope(problems: RenderProblem[]): string {
  return problems.length === 1
    ? problems[0]!.message
    : `${problems.length} objects outside the target's scope: ${problems
        .slice(0, 3)
        .map((p) => p.message)
        .join("; ")}`;
}
