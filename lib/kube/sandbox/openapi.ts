/**
 * OpenAPI for kubectl and for validation. The built-in schemas are the real server's: openapi-schemas.json.gz is
 * generated from the OpenAPI v3 documents kube-apiserver publishes (see openapi-gen.mjs) and loaded on first use, so
 * `kubectl explain` reads the real descriptions and field validation knows exactly the real fields and types. The v3
 * documents also declare the `fieldValidation` query parameter on PATCH, so kubectl delegates validation to the server.
 * Custom resources are described from their CRD's openAPIV3Schema.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { KUBE_VERSION } from "./discovery";
import { apiVersionOf } from "./resources";
import type { ResourceDef, ResourceRegistry } from "./resources";

export type OpenApiSchema = Record<string, unknown>;

interface BuiltinOpenApi {
  kubernetesVersion: string;
  /** Schema names each group-version's document holds (its kinds and everything they reference). */
  groupVersions: Record<string, string[]>;
  schemas: Record<string, OpenApiSchema>;
}

let builtin: BuiltinOpenApi | undefined;

/** The generated artifact, read once; ~150 KB gzipped, a few MB parsed, so only when validation or kubectl needs it. */
export function builtinOpenApi(): BuiltinOpenApi {
  if (!builtin) {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "openapi-schemas.json.gz");
    builtin = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as BuiltinOpenApi;
  }
  return builtin;
}

export const SCHEMA_REF_PREFIX = "#/components/schemas/";

/** The component schema of a built-in kind, by the GVK it is tagged with. */
export function builtinKindSchema(
  group: string,
  version: string,
  kind: string,
): { name: string; schema: OpenApiSchema } | undefined {
  const api = builtinOpenApi();
  for (const name of api.groupVersions[apiVersionOf(group, version)] ?? []) {
    const schema = api.schemas[name];
    const gvks = (schema?.["x-kubernetes-group-version-kind"] ?? []) as Array<{
      group: string;
      version: string;
      kind: string;
    }>;
    if (schema && gvks.some((g) => g.group === group && g.version === version && g.kind === kind))
      return { name, schema };
  }
  return undefined;
}

function gvPaths(registry: ResourceRegistry): string[] {
  const out = ["api/v1"];
  for (const g of registry.listGroups()) for (const v of g.versions) out.push(`apis/${g.name}/${v}`);
  return out;
}

export function openApiV3Index(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const p of gvPaths(registry))
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${registry.generation.toString(16).padStart(16, "0")}` };
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
    const item = def.namespaced
      ? `${prefix}/namespaces/{namespace}/${def.name}/{name}`
      : `${prefix}/${def.name}/{name}`;
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
    info: { title: "Kubernetes", version: builtinOpenApi().kubernetesVersion },
    paths,
    components: { schemas: componentSchemas(registry, group, version) },
  };
}

function componentSchemas(registry: ResourceRegistry, group: string, version: string): Record<string, OpenApiSchema> {
  const api = builtinOpenApi();
  const out: Record<string, OpenApiSchema> = {};
  for (const name of api.groupVersions[apiVersionOf(group, version)] ?? []) {
    const schema = api.schemas[name];
    if (schema) out[name] = schema;
  }
  for (const def of registry.resourcesOf(group, version)) if (def.crd) Object.assign(out, crdComponentSchemas(def));
  return out;
}

/** A custom resource's schema as kube-apiserver publishes it: the CRD's schema plus apiVersion, kind and ObjectMeta. */
function crdComponentSchemas(def: ResourceDef): Record<string, OpenApiSchema> {
  const reversed = def.group.split(".").reverse().join(".");
  const name = `${reversed}.${def.version}.${def.kind}`;
  const schema = structuredClone(
    (def.crd?.schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true }) as OpenApiSchema,
  );
  const properties = { ...((schema.properties ?? {}) as Record<string, OpenApiSchema>) };
  const meta = builtinOpenApi().schemas;
  const metaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
  properties.apiVersion = {
    type: "string",
    description: String(
      (meta["io.k8s.api.core.v1.Pod"]?.properties as Record<string, OpenApiSchema> | undefined)?.apiVersion
        ?.description ?? "",
    ),
  };
  properties.kind = {
    type: "string",
    description: String(
      (meta["io.k8s.api.core.v1.Pod"]?.properties as Record<string, OpenApiSchema> | undefined)?.kind?.description ??
        "",
    ),
  };
  properties.metadata = {
    allOf: [{ $ref: `${SCHEMA_REF_PREFIX}${metaName}` }],
    description:
      "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  };
  const out: Record<string, OpenApiSchema> = {
    [name]: {
      ...schema,
      type: "object",
      properties,
      "x-kubernetes-group-version-kind": [{ group: def.group, kind: def.kind, version: def.version }],
    },
  };
  if (meta[metaName]) out[metaName] = meta[metaName];
  for (const dep of [
    "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
    "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
  ]) {
    if (meta[dep]) out[dep] = meta[dep];
  }
  return out;
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
    return {
      body: JSON.stringify({
        swagger: "2.0",
        info: { title: "Kubernetes", version: KUBE_VERSION.gitVersion },
        paths: {},
        definitions: {},
      }),
      contentType: "application/json",
    };
  }
  const info = Buffer.concat([protoString(1, "Kubernetes"), protoString(2, "v1.32.0")]);
  const body = Buffer.concat([protoString(1, "2.0"), Buffer.from([(2 << 3) | 2, info.length]), info]);
  return { body, contentType: "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" };
}
