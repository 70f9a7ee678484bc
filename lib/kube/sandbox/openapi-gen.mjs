#!/usr/bin/env node
/**
 * Generates lib/kube/sandbox/openapi-schemas.json.gz: the built-in schemas the sandbox validates against and serves
 * at /openapi/v3, taken from the OpenAPI v3 documents kube-apiserver publishes (api/openapi-spec/v3 in the
 * k8s.io/kubernetes module), so the sandbox's idea of "unknown field" and "wrong type" is the real server's.
 *
 * Reproducible: `GOTOOLCHAIN=local node lib/kube/sandbox/openapi-gen.mjs` finds the module with
 * `go mod download -json k8s.io/kubernetes@<KUBE_VERSION>` (already in the module cache on a machine with Go), keeps
 * the stable group-versions the sandbox serves, dedupes the component schemas every document repeats, and writes the
 * result gzipped with sorted keys (the same input gives the same bytes). The sandbox reads only the artifact, so it
 * runs without Go.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { goEnv } from "../../../gotools/binaries.mjs";

const KUBE_VERSION = "v1.34.4";
const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), "openapi-schemas.json.gz");

/** Group-versions served by the sandbox (lib/kube/sandbox/resources.ts); alpha and beta APIs are off by default. */
const GROUP_VERSIONS = [
  "v1",
  "admissionregistration.k8s.io/v1",
  "apiextensions.k8s.io/v1",
  "apiregistration.k8s.io/v1",
  "apps/v1",
  "authentication.k8s.io/v1",
  "authorization.k8s.io/v1",
  "autoscaling/v1",
  "autoscaling/v2",
  "batch/v1",
  "certificates.k8s.io/v1",
  "coordination.k8s.io/v1",
  "discovery.k8s.io/v1",
  "events.k8s.io/v1",
  "flowcontrol.apiserver.k8s.io/v1",
  "networking.k8s.io/v1",
  "node.k8s.io/v1",
  "policy/v1",
  "rbac.authorization.k8s.io/v1",
  "scheduling.k8s.io/v1",
  "storage.k8s.io/v1",
];

function moduleDir() {
  const out = execFileSync("go", ["mod", "download", "-json", `k8s.io/kubernetes@${KUBE_VERSION}`], {
    env: { ...goEnv(), GOFLAGS: "-mod=mod" },
    encoding: "utf8",
  });
  const info = JSON.parse(out);
  if (!info.Dir) throw new Error(`go mod download did not report a directory: ${out}`);
  return info.Dir;
}

function docFile(gv) {
  return gv === "v1" ? "api__v1_openapi.json" : `apis__${gv.replace("/", "__")}_openapi.json`;
}

/** Recursively sorts object keys so the artifact is byte-for-byte reproducible. */
function sorted(v) {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted(v[k])]),
    );
  return v;
}

function refsOf(v, out) {
  if (Array.isArray(v)) for (const x of v) refsOf(x, out);
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string") out.add(x.replace("#/components/schemas/", ""));
      else refsOf(x, out);
    }
  }
  return out;
}

const dir = path.join(moduleDir(), "api", "openapi-spec", "v3");
const available = new Set(readdirSync(dir));
const schemas = {};
const groupVersions = {};
for (const gv of GROUP_VERSIONS) {
  const file = docFile(gv);
  if (!available.has(file)) throw new Error(`${file} is missing from ${dir}`);
  const doc = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  const own = doc.components?.schemas ?? {};
  // The kinds of this group-version are the schemas tagged with its GVK; everything they reference comes along.
  const [group, version] = gv.includes("/") ? gv.split("/") : ["", gv];
  const roots = Object.entries(own)
    .filter(([, s]) =>
      (s["x-kubernetes-group-version-kind"] ?? []).some((k) => k.group === group && k.version === version),
    )
    .map(([name]) => name);
  const needed = new Set(roots);
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop();
    for (const ref of refsOf(own[name], new Set())) {
      if (!needed.has(ref) && own[ref]) {
        needed.add(ref);
        queue.push(ref);
      }
    }
  }
  for (const name of needed) {
    if (schemas[name] && JSON.stringify(schemas[name]) !== JSON.stringify(own[name])) {
      // Shared schemas (ObjectMeta…) are identical across documents except for which GVKs a list/option type names.
      const gvks = [
        ...(schemas[name]["x-kubernetes-group-version-kind"] ?? []),
        ...(own[name]["x-kubernetes-group-version-kind"] ?? []),
      ];
      const unique = [...new Map(gvks.map((k) => [`${k.group}/${k.version}/${k.kind}`, k])).values()];
      schemas[name] = { ...own[name], ...(unique.length ? { "x-kubernetes-group-version-kind": unique } : {}) };
    } else schemas[name] = own[name];
  }
  groupVersions[gv] = [...needed].sort();
}

const artifact = sorted({ kubernetesVersion: KUBE_VERSION, groupVersions, schemas });
const gz = gzipSync(Buffer.from(JSON.stringify(artifact)), { level: 9 });
writeFileSync(OUT, gz);
process.stdout.write(
  `${path.relative(process.cwd(), OUT)}: ${Object.keys(schemas).length} schemas, ${gz.length} bytes gzipped\n`,
);
