/**
 * Just enough OpenAPI for kubectl: v3 documents whose PATCH operations declare the `fieldValidation` query parameter,
 * so kubectl delegates validation to the server instead of downloading schemas (which the sandbox does not have).
 */
import { apiVersionOf } from "./resources";
import type { ResourceRegistry } from "./resources";

function gvPaths(registry: ResourceRegistry): string[] {
  const out = ["api/v1"];
  for (const g of registry.listGroups()) for (const v of g.versions) out.push(`apis/${g.name}/${v}`);
  return out;
}

export function openApiV3Index(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const p of gvPaths(registry)) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${registry.generation.toString(16).padStart(16, "0")}` };
  return { paths };
}

const QUERY_PARAMS = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map((name) => ({
  name,
  in: "query",
  description: name,
  schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true },
}));

export function openApiV3GroupVersion(registry: ResourceRegistry, gvPath: string): Record<string, unknown> | undefined {
  const parts = gvPath.split("/");
  let group = "";
  let version = "";
  if (parts[0] === "api" && parts.length === 2) version = parts[1] ?? "";
  else if (parts[0] === "apis" && parts.length === 3) {
    group = parts[1] ?? "";
    version = parts[2] ?? "";
  } else return undefined;
  if (!registry.hasGroupVersion(group, version)) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, unknown> = {};
  for (const def of registry.resourcesOf(group, version)) {
    if (def.virtual) continue;
    const item = def.namespaced ? `${prefix}/namespaces/{namespace}/${def.name}/{name}` : `${prefix}/${def.name}/{name}`;
    const gvk = { group: def.group, version: def.version, kind: def.kind };
    paths[item] = {
      patch: {
        description: `partially update the specified ${def.kind}`,
        operationId: `patch${def.kind}`,
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": gvk,
        parameters: QUERY_PARAMS,
        responses: { "200": { description: "OK" } },
      },
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths,
    components: { schemas: {} },
    "x-sandbox-group-version": apiVersionOf(group, version),
  };
}

function protoString(field: number, value: string): Buffer {
  const bytes = Buffer.from(value, "utf8");
  return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
}

/**
 * An OpenAPI v2 document without definitions. kubectl skips client-side schema validation for kinds it cannot find
 * in it, exactly as it does for CRDs without schemas on a real cluster. kubectl asks for the gnostic protobuf form.
 */
export function openApiV2(protobuf: boolean): { body: Buffer | string; contentType: string } {
  if (!protobuf) {
    return { body: JSON.stringify({ swagger: "2.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths: {}, definitions: {} }), contentType: "application/json" };
  }
  const info = Buffer.concat([protoString(1, "Kubernetes"), protoString(2, "v1.32.0")]);
  const body = Buffer.concat([protoString(1, "2.0"), Buffer.from([(2 << 3) | 2, info.length]), info]);
  return { body, contentType: "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" };
}
