import fs from "node:fs";
import { findOnPath } from "@/lib/process/run-tool";
import { RenderError } from "./errors";

/** The binaries the renderer runs; each is built from a Go module by `npm run cluster:build -- --only <name>`. */
export type RenderToolName = "helm" | "kustomize";

/** Explicit paths (tests, an administrator's choice); otherwise the tool is looked up on PATH. */
export type RenderToolPaths = Partial<Record<RenderToolName | "kubectl", string>>;

const INSTALL_HINT: Record<RenderToolName, string> = {
  helm: "install helm (https://helm.sh) on the PATH of the dashboard and the agent (their images in deploy/ include it), or in a checkout build it with `npm run cluster:build -- --only helm` and put its directory from ~/.cache/wharf/cluster on PATH",
  kustomize:
    "install kustomize (or kubectl, whose `kubectl kustomize` is used instead) on the PATH of the dashboard and the agent (their images in deploy/ include it), or in a checkout build it with `npm run cluster:build -- --only kustomize` and put its directory from ~/.cache/wharf/cluster on PATH",
};

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The error for a tool that is not installed: it names the tool, what needed it, and how to install it. */
export function toolMissing(name: RenderToolName, neededBy: string, where?: string): RenderError {
  return new RenderError(
    "RENDER_TOOL_MISSING",
    `${neededBy} needs ${name} to render it, and ${name} is not installed here (${where ? `not found at ${where}` : "not found on PATH"}): ${INSTALL_HINT[name]}.`,
    [{ file: neededBy, message: `${name} is not installed` }],
  );
}

/** The helm binary, or a RENDER_TOOL_MISSING error naming `neededBy` (the Chart.yaml). */
export function findHelm(paths: RenderToolPaths, neededBy: string): string {
  if (paths.helm !== undefined) {
    if (executable(paths.helm)) return paths.helm;
    throw toolMissing("helm", neededBy, paths.helm);
  }
  const found = findOnPath("helm");
  if (!found) throw toolMissing("helm", neededBy);
  return found;
}

/** `kustomize build`, else `kubectl kustomize` (the same library, vendored in kubectl); the command and its arguments. */
export function findKustomize(paths: RenderToolPaths, neededBy: string): { command: string; args: string[] } {
  if (paths.kustomize !== undefined) {
    if (executable(paths.kustomize)) return { command: paths.kustomize, args: ["build"] };
    throw toolMissing("kustomize", neededBy, paths.kustomize);
  }
  const kustomize = findOnPath("kustomize");
  if (kustomize) return { command: kustomize, args: ["build"] };
  const kubectl = paths.kubectl ?? findOnPath("kubectl");
  if (kubectl && executable(kubectl)) return { command: kubectl, args: ["kustomize"] };
  throw toolMissing("kustomize", neededBy);
}
