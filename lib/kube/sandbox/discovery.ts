/** Discovery documents (/version, /api, /apis, APIResourceList) built from the resource registry. */
import { apiVersionOf, subresourceInfo } from "./resources";
import type { ResourceDef, ResourceRegistry } from "./resources";

export const KUBE_VERSION = { major: "1", minor: "34", gitVersion: "v1.34.4" };

export function versionInfo(): Record<string, string> {
  return {
    major: KUBE_VERSION.major,
    minor: KUBE_VERSION.minor,
    gitVersion: KUBE_VERSION.gitVersion,
    gitCommit: "70d3cc986aa8221cd1dfb1121852688902d3bf53",
    gitTreeState: "clean",
    buildDate: "2024-12-11T17:59:15Z",
    goVersion: "go1.23.3",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupDoc(registry: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const g = registry.group(name);
  if (!g || g.versions.length === 0) return undefined;
  const versions = g.versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: registry.listGroups().flatMap((g) => {
      const doc = groupDoc(registry, g.name);
      return doc ? [doc] : [];
    }),
  };
}

export function apiGroup(registry: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const doc = groupDoc(registry, name);
  return doc ? { kind: "APIGroup", apiVersion: "v1", ...doc } : undefined;
}

function resourceEntries(def: ResourceDef): Array<Record<string, unknown>> {
  const main: Record<string, unknown> = {
    name: def.name,
    singularName: def.singularName,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: def.verbs,
  };
  if (def.shortNames?.length) main.shortNames = def.shortNames;
  if (def.categories?.length) main.categories = def.categories;
  const out = [main];
  for (const sub of def.subresources ?? []) {
    const info = subresourceInfo(def, sub);
    out.push({
      name: `${def.name}/${sub}`,
      singularName: "",
      namespaced: def.namespaced,
      ...(info.group !== undefined ? { group: info.group, version: info.version } : {}),
      kind: info.kind,
      verbs: info.verbs,
    });
  }
  return out;
}

export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  if (!registry.hasGroupVersion(group, version)) return undefined;
  const resources = registry
    .resourcesOf(group, version)
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(resourceEntries);
  const doc: Record<string, unknown> = {
    kind: "APIResourceList",
    groupVersion: apiVersionOf(group, version),
    resources,
  };
  if (group) return { kind: "APIResourceList", apiVersion: "v1", groupVersion: doc.groupVersion, resources };
  return doc;
}
