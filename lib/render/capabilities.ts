import { HttpMethod } from "@kubernetes/client-node";
import type { KubeClient } from "@/lib/kube/client";

/**
 * What Helm's `.Capabilities` should say about a target: its version (`/version`) and every group/version it serves
 * (`/api`, `/apis`), from the cluster itself rather than Helm's built-in defaults, so a chart's
 * `semverCompare ">=1.25"` or `.Capabilities.APIVersions.Has "monitoring.coreos.com/v1"` sees the real target.
 * A discovery failure leaves Helm's defaults (the apply that follows reports an unreachable cluster anyway).
 */
export async function helmCapabilities(
  client: Pick<KubeClient, "request">,
): Promise<{ kubeVersion?: string; apiVersions: string[] }> {
  const get = async (path: string): Promise<Record<string, unknown> | undefined> => {
    try {
      const { body } = await client.request<unknown>(HttpMethod.GET, path, { retry: false });
      return body && typeof body === "object" ? (body as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const [version, core, groups] = await Promise.all([get("/version"), get("/api"), get("/apis")]);
  const apiVersions = new Set<string>();
  for (const v of Array.isArray(core?.versions) ? core.versions : []) if (typeof v === "string") apiVersions.add(v);
  for (const group of Array.isArray(groups?.groups) ? groups.groups : []) {
    const versions = (group as { versions?: unknown }).versions;
    for (const v of Array.isArray(versions) ? versions : []) {
      const gv = (v as { groupVersion?: unknown }).groupVersion;
      if (typeof gv === "string") apiVersions.add(gv);
    }
  }
  const gitVersion = typeof version?.gitVersion === "string" ? version.gitVersion : undefined;
  // Helm parses it as semver: "v1.34.4+k3s1" is fine, a sandbox's free-form version may not be.
  const kubeVersion = gitVersion && /^v?\d+\.\d+(\.\d+)?([-+].*)?$/.test(gitVersion) ? gitVersion : undefined;
  return { ...(kubeVersion ? { kubeVersion } : {}), apiVersions: [...apiVersions].sort() };
}
