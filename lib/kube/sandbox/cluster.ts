/**
 * The REST semantics of kube-apiserver's generic registry on top of the store: create/update/patch/apply/delete with
 * resourceVersion checks, generation, managedFields, finalizers, garbage collection, namespaces and CRDs.
 */
import { randomUUID } from "node:crypto";
import { StatusError, alreadyExists, badRequest, conflict, invalid, notFound, unsupportedMediaType } from "./errors";
import { applyDefaults } from "./defaults";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch";
import { apiVersionOf, storageKey } from "./resources";
import type { ResourceDef, ResourceRegistry } from "./resources";
import { applyConfig, builtinSchema, crdSchema, deepEqual, recordUpdate } from "./ssa";
import type { MergeSchema } from "./ssa";
import { objectKey } from "./store";
import type { KObject, ManagedFieldsEntry, Store } from "./store";
import { decodeBuiltin, decodeCustom, decodeCustomTyped, goPrint, validateObject } from "./validation";
import type { FieldValidation } from "./validation";
import { builtinKindSchema } from "./openapi";
import { parseYamlValue } from "../yaml";

type Obj = Record<string, unknown>;

export interface WriteOptions {
  fieldManager: string;
  dryRun: boolean;
  /** Only for apply patches. */
  force?: boolean;
  subresource?: string | undefined;
  /**
   * Set for client requests (the handler defaults it to Warn, as kube-apiserver does): the body is decoded against
   * the kind's schema, unknown fields are dropped and reported. Internal writes (controllers, bootstrap) leave it out.
   */
  fieldValidation?: FieldValidation | undefined;
  /** Collects `Warning` header texts for the response (unknown fields under Warn). */
  warnings?: string[] | undefined;
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface DeleteOptions {
  dryRun: boolean;
  propagationPolicy?: "Orphan" | "Background" | "Foreground" | undefined;
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  gracePeriodSeconds?: number | undefined;
}

export type WriteListener = (def: ResourceDef, obj: KObject, old: KObject | undefined) => void;

const GENERATION_EXEMPT = new Set([
  "/Namespace",
  "/ConfigMap",
  "/Secret",
  "/ServiceAccount",
  "/Event",
  "/Endpoints",
  "events.k8s.io/Event",
  "coordination.k8s.io/Lease",
  "discovery.k8s.io/EndpointSlice",
]);

const ETCD_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

export function nowTimestamp(ms = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function randomSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let s = "";
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

export class Cluster {
  private readonly listeners: WriteListener[] = [];
  private readonly terminatingNamespaces = new Set<string>();

  constructor(
    readonly store: Store,
    readonly registry: ResourceRegistry,
  ) {}

  onWrite(listener: WriteListener): void {
    this.listeners.push(listener);
  }

  table(def: ResourceDef): string {
    return storageKey(def.group, def.name);
  }

  schemaFor(def: ResourceDef): MergeSchema {
    return def.crd ? crdSchema(def.crd.schema) : builtinSchema(def.kind);
  }

  hasStatus(def: ResourceDef): boolean {
    return (def.subresources ?? []).includes("status");
  }

  /** The object as served at the definition's version (stored objects carry the version last written). */
  present(obj: KObject, def: ResourceDef): KObject {
    const apiVersion = apiVersionOf(def.group, def.version);
    if (obj.apiVersion === apiVersion && obj.kind === def.kind) return obj;
    const out: KObject = { ...obj, apiVersion, kind: def.kind };
    if (def.group === "autoscaling" && def.kind === "HorizontalPodAutoscaler") convertHpa(out, def.version);
    return out;
  }

  /** Converts a request body to the stored representation (HPA v1 → v2; CR versions share one schema). */
  private toStorage(obj: KObject, def: ResourceDef): KObject {
    const preferred = this.registry.preferred(def.group, def.name) ?? def;
    if (preferred.version === def.version) return obj;
    const out: KObject = { ...obj, apiVersion: apiVersionOf(def.group, preferred.version) };
    if (def.group === "autoscaling" && def.kind === "HorizontalPodAutoscaler") convertHpa(out, preferred.version);
    return out;
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KObject {
    const obj = this.store.get(this.table(def), def.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(def.group, def.name, name);
    return obj;
  }

  find(def: ResourceDef, namespace: string | undefined, name: string): KObject | undefined {
    return this.store.get(this.table(def), def.namespaced ? namespace : undefined, name);
  }

  private checkNamespace(def: ResourceDef, namespace: string | undefined, name: string, creating: boolean): void {
    if (!def.namespaced || !namespace) return;
    const ns = this.store.get("/namespaces", undefined, namespace);
    if (!ns) throw notFound("", "namespaces", namespace);
    if (creating && (ns.metadata.deletionTimestamp || this.terminatingNamespaces.has(namespace))) {
      throw new StatusError(
        403,
        "Forbidden",
        `${def.group ? `${def.name}.${def.group}` : def.name} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          name,
          ...(def.group ? { group: def.group } : {}),
          kind: def.name,
          causes: [
            {
              reason: "NamespaceTerminating",
              message: `namespace ${namespace} is being terminated`,
              field: "metadata.namespace",
            },
          ],
        },
      );
    }
  }

  private checkTypeMeta(body: Obj, def: ResourceDef): void {
    const expected = apiVersionOf(def.group, def.version);
    if (body.apiVersion !== undefined && body.apiVersion !== expected) {
      // Any served version of the same resource is accepted by conversion; others are a client bug.
      const [g] = String(body.apiVersion).includes("/") ? String(body.apiVersion).split("/") : [""];
      if ((g ?? "") !== def.group)
        throw badRequest(
          `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`,
        );
    }
    if (body.kind !== undefined && body.kind !== def.kind) {
      throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${def.kind})`);
    }
  }

  private parseBody(body: unknown): Obj {
    if (!isObj(body)) throw badRequest("the body of the request was not an object");
    if (!isObj(body.metadata)) body.metadata = {};
    return body;
  }

  /** Create/update bodies: kube-apiserver's typed decode (400 "… cannot be handled as a …" for types and Strict). */
  private decodeBody(def: ResourceDef, body: Obj, opts: WriteOptions): void {
    const mode = opts.fieldValidation;
    if (!mode) return;
    if (def.crd) {
      const unknown = this.decodeCustomResource(def, body, opts);
      if (unknown.length && mode === "Strict")
        throw badRequest(
          `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${unknown.join(", ")}`,
        );
      return;
    }
    const schema = builtinKindSchema(def.group, def.version, def.kind);
    if (!schema) return;
    const report = decodeBuiltin(body, schema.name, true);
    const prefix = `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: `;
    if (report.typeError) throw badRequest(prefix + report.typeError);
    const unknown = report.unknown.map((f) => `unknown field "${f}"`);
    if (unknown.length === 0) return;
    if (mode === "Strict") throw badRequest(`${prefix}strict decoding error: ${unknown.join(", ")}`);
    if (mode === "Warn") opts.warnings?.push(...unknown);
  }

  /** JSON, merge and strategic patches: the patched object is decoded; problems are 422 on the field "patch". */
  /** Pruning and defaulting of a custom resource; returns the unknown-field messages (already warned under Warn). */
  private decodeCustomResource(def: ResourceDef, body: Obj, opts: WriteOptions, withDefaults = true): string[] {
    const unknown = decodeCustom(body, def.crd?.schema as Obj | undefined, withDefaults).map(
      (f) => `unknown field "${f}"`,
    );
    if (opts.fieldValidation === "Warn") opts.warnings?.push(...unknown);
    return unknown;
  }

  private decodePatched(def: ResourceDef, patched: KObject, opts: WriteOptions, shownValue?: string): void {
    const mode = opts.fieldValidation;
    if (!mode) return;
    if (def.crd) {
      const unknown = this.decodeCustomResource(def, patched as Obj, opts);
      if (unknown.length && mode === "Strict") {
        const message = `Invalid value: ${JSON.stringify(shownValue ?? JSON.stringify(patched))}: strict decoding error: ${unknown.join(", ")}`;
        throw new StatusError(422, "Invalid", ` "" is invalid: patch: ${message}`, {
          causes: [{ reason: "FieldValueInvalid", message, field: "patch" }],
        });
      }
      return;
    }
    const schema = builtinKindSchema(def.group, def.version, def.kind);
    if (!schema) return;
    const shown = shownValue ?? JSON.stringify(patched);
    const report = decodeBuiltin(patched as Obj, schema.name, true);
    const unknown = report.unknown.map((f) => `unknown field "${f}"`);
    let detail: string | undefined;
    if (report.typeError) detail = report.typeError;
    else if (unknown.length && mode === "Strict") detail = `strict decoding error: ${unknown.join(", ")}`;
    else if (unknown.length && mode === "Warn") opts.warnings?.push(...unknown);
    if (detail) {
      const message = `Invalid value: ${JSON.stringify(shown)}: ${detail}`;
      throw new StatusError(422, "Invalid", ` "" is invalid: patch: ${message}`, {
        causes: [{ reason: "FieldValueInvalid", message, field: "patch" }],
      });
    }
  }

  /**
   * Server-side apply converts the configuration to a typed value before anything else, whatever fieldValidation
   * says: an unknown field or a wrong type fails the request with structured-merge-diff's message, as a 500 (the
   * real handler passes the plain error through).
   */
  private decodeApplyConfig(def: ResourceDef, config: Obj, name: string, opts: WriteOptions): void {
    if (!opts.fieldValidation) return;
    let report;
    if (def.crd) {
      if (!def.crd.schema) return;
      report = decodeCustomTyped(structuredClone(config), def.crd.schema as Obj);
    } else {
      const schema = builtinKindSchema(def.group, def.version, def.kind);
      if (!schema) return;
      report = decodeBuiltin(structuredClone(config), schema.name, false);
    }
    if (report.smd.length === 0) return;
    const meta = isObj(config.metadata) ? config.metadata : {};
    const namespace = typeof meta.namespace === "string" ? meta.namespace : "";
    const detail = report.smd.length === 1 ? report.smd[0] : ["errors:", ...report.smd.map((e) => `  ${e}`)].join("\n");
    throw new StatusError(
      500,
      "",
      `failed to create typed patch object (${namespace}/${name}; ${def.group}/${def.version}, Kind=${def.kind}): ${detail}`,
    );
  }

  create(def: ResourceDef, namespace: string | undefined, rawBody: unknown, opts: WriteOptions): KObject {
    const body = this.parseBody(rawBody);
    this.checkTypeMeta(body, def);
    this.decodeBody(def, body, opts);
    const meta = body.metadata as Obj;
    if (def.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = namespace;
    } else delete meta.namespace;
    if (!meta.name && typeof meta.generateName === "string" && meta.generateName)
      meta.name = `${meta.generateName}${randomSuffix()}`;
    const name = String(meta.name ?? "");
    if (name) this.checkNamespace(def, namespace, name, true);
    if (name && this.find(def, namespace, name)) throw alreadyExists(def.group, def.name, name);
    const obj = body as KObject;
    obj.apiVersion = apiVersionOf(def.group, def.version);
    obj.kind = def.kind;
    return this.commit(def, undefined, obj, opts, undefined);
  }

  update(def: ResourceDef, namespace: string | undefined, name: string, rawBody: unknown, opts: WriteOptions): KObject {
    const body = this.parseBody(rawBody);
    this.checkTypeMeta(body, def);
    this.decodeBody(def, body, opts);
    const meta = body.metadata as Obj;
    if (meta.name !== undefined && meta.name !== name)
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    if (def.namespaced && meta.namespace && meta.namespace !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const old = this.get(def, namespace, name);
    const rv = meta.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion) {
      throw conflict(
        def.group,
        def.name,
        name,
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
    const obj = body as KObject;
    obj.apiVersion = apiVersionOf(def.group, def.version);
    obj.kind = def.kind;
    return this.commit(def, old, obj, opts, undefined);
  }

  /** PATCH, including server-side apply (which creates the object when it does not exist). */
  patch(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    rawPatch: string,
    opts: WriteOptions,
  ): { obj: KObject; created: boolean } {
    const old = this.find(def, namespace, name);
    if (type === "apply") return this.apply(def, namespace, name, old, rawPatch, opts);
    if (opts.force)
      throw invalid("meta.k8s.io", "PatchOptions", "", [
        { type: "FieldValueForbidden", field: "force", detail: "may not be specified for non-apply patch" },
      ]);
    if (!old) throw notFound(def.group, def.name, name);
    let patchDoc: unknown;
    try {
      patchDoc = JSON.parse(rawPatch);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const current = this.present(old, def);
    let next: unknown;
    if (type === "merge") next = mergePatch(current, patchDoc);
    else if (type === "json") next = jsonPatch(current, patchDoc);
    else {
      if (def.crd) throw unsupportedMediaType("application/strategic-merge-patch+json");
      next = strategicMergePatch(current, patchDoc, def.kind);
    }
    if (!isObj(next) || !isObj(next.metadata)) throw badRequest("the patch produced an object without metadata");
    const nextObj = next as KObject;
    // Errors show what the real handler has at hand: the patched object (JSON, merge) or the patch itself (strategic).
    this.decodePatched(def, nextObj, opts, type === "strategic" ? goPrint(patchDoc) : undefined);
    if (nextObj.metadata.name !== name)
      throw badRequest(
        `the name of the object (${String(nextObj.metadata.name)}) does not match the name on the URL (${name})`,
      );
    const rv = nextObj.metadata.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) {
      throw conflict(
        def.group,
        def.name,
        name,
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
    nextObj.apiVersion = apiVersionOf(def.group, def.version);
    nextObj.kind = def.kind;
    return { obj: this.commit(def, old, nextObj, opts, undefined), created: false };
  }

  private apply(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    old: KObject | undefined,
    raw: string,
    opts: WriteOptions,
  ): { obj: KObject; created: boolean } {
    if (!opts.fieldManager) {
      throw invalid("meta.k8s.io", "PatchOptions", "", [
        { type: "FieldValueRequired", field: "fieldManager", detail: "is required for apply patch" },
      ]);
    }
    let config: unknown;
    try {
      // The bounded parser (../yaml.ts): aliases may not expand past its budget, however few there are.
      config = parseYamlValue(raw);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!isObj(config)) throw badRequest("error decoding YAML: the apply configuration must be an object");
    if (!config.apiVersion || !config.kind) {
      throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(config)}'`);
    }
    this.checkTypeMeta(config, def);
    this.decodeApplyConfig(def, config, name, opts);
    const meta = (isObj(config.metadata) ? config.metadata : {}) as Obj;
    config.metadata = meta;
    if (meta.name !== undefined && meta.name !== name)
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    if (def.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== namespace)
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    } else delete meta.namespace;
    if (meta.resourceVersion !== undefined && old && meta.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        def.group,
        def.name,
        name,
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
    if (!old) {
      meta.name = name;
      if (def.namespaced) meta.namespace = namespace;
      this.checkNamespace(def, namespace, name, true);
    }
    if (!old && opts.subresource) throw notFound(def.group, def.name, name);
    const schema = this.schemaFor(def);
    const liveView = old ? this.present(old, def) : undefined;
    const result = applyConfig(liveView, config, {
      manager: opts.fieldManager,
      apiVersion: apiVersionOf(def.group, def.version),
      subresource: opts.subresource,
      hasStatusSubresource: this.hasStatus(def),
      schema,
      now: nowTimestamp(),
      force: opts.force ?? false,
    });
    const next = result.object as KObject;
    next.apiVersion = apiVersionOf(def.group, def.version);
    next.kind = def.kind;
    if (!isObj(next.metadata)) next.metadata = {};
    if (!old) {
      next.metadata.name = name;
      if (def.namespaced) next.metadata.namespace = namespace;
    }
    return { obj: this.commit(def, old, next, opts, result.managedFields), created: !old };
  }

  /**
   * Shared write path: status/spec separation, defaulting, metadata the server owns, generation, managedFields,
   * validation, no-op detection, dry run, storage and post-write hooks.
   */
  commit(
    def: ResourceDef,
    old: KObject | undefined,
    input: KObject,
    opts: WriteOptions,
    managedFields: ManagedFieldsEntry[] | undefined,
  ): KObject {
    // Patches share unchanged subtrees with the stored object; never let the write path mutate stored state.
    let next = structuredClone(this.toStorage(input, def));
    const oldStored = old;
    const sub = opts.subresource;
    if (sub === "status" && old) {
      // Only status changes through /status; metadata labels/annotations may change too, as the real strategy allows.
      next = {
        ...structuredClone(old),
        status: next.status,
        metadata: {
          ...structuredClone(old.metadata),
          labels: next.metadata.labels,
          annotations: next.metadata.annotations,
        },
      } as KObject;
      if (next.metadata.labels === undefined) delete next.metadata.labels;
      if (next.metadata.annotations === undefined) delete next.metadata.annotations;
      if (next.status === undefined) delete next.status;
    } else if (this.hasStatus(def) && sub !== "scale") {
      if (old && old.status !== undefined) next.status = structuredClone(old.status);
      else delete next.status;
    }
    const meta = next.metadata;
    if (!isObj(meta)) throw badRequest("metadata must be an object");
    if (old) {
      meta.name = old.metadata.name;
      if (def.namespaced) meta.namespace = old.metadata.namespace;
      meta.uid = old.metadata.uid;
      meta.creationTimestamp = old.metadata.creationTimestamp;
      if (old.metadata.deletionTimestamp) {
        meta.deletionTimestamp = old.metadata.deletionTimestamp;
        meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      meta.resourceVersion = old.metadata.resourceVersion;
    } else {
      meta.uid = randomUUID();
      meta.creationTimestamp = nowTimestamp();
      delete meta.resourceVersion;
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (meta.finalizers !== undefined && Array.isArray(meta.finalizers) && meta.finalizers.length === 0)
      delete meta.finalizers;
    if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
    if (meta.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
    if (!old && def.group === "batch" && def.kind === "Job") defaultJobSelector(next);
    applyDefaults(next, def, old);
    // Custom resources: the structural schema prunes and defaults whatever the write path produced (SSA merges too).
    if (def.crd?.schema) decodeCustom(next as Obj, def.crd.schema as Obj);

    // Generation counts changes of everything but metadata and status.
    if (!GENERATION_EXEMPT.has(`${def.group}/${def.kind}`)) {
      if (!old) meta.generation = 1;
      else {
        const strip = (o: KObject) => {
          const { metadata: _m, status: _s, ...rest } = o;
          void _m;
          void _s;
          return rest;
        };
        meta.generation = (old.metadata.generation ?? 1) + (deepEqual(strip(old), strip(next)) ? 0 : 1);
      }
    }

    validateObject(next, def, old);
    if (def.kind === "CustomResourceDefinition" && def.group === "apiextensions.k8s.io")
      this.validateCrdNames(next, old);

    delete meta.managedFields;
    const managerWrite = {
      manager: opts.fieldManager,
      apiVersion: apiVersionOf(def.group, def.version),
      subresource: sub,
      hasStatusSubresource: this.hasStatus(def),
      schema: this.schemaFor(def),
      now: nowTimestamp(),
    };
    const finalManaged =
      managedFields ?? recordUpdate(old ? this.present(old, def) : undefined, this.present(next, def), managerWrite);
    if (finalManaged.length > 0) meta.managedFields = finalManaged;

    if (old && deepEqual(old, next)) return old;

    // Clearing the last finalizer of an object being deleted completes the deletion.
    if (old?.metadata.deletionTimestamp && !meta.finalizers?.length) {
      if (opts.dryRun) return next;
      return this.finishDelete(def, next, "Background");
    }
    if (opts.dryRun) return next;
    // etcd refuses requests over --max-request-bytes (1.5 MiB); kube-apiserver passes its error through as a 500.
    if (Buffer.byteLength(JSON.stringify(next)) > ETCD_MAX_REQUEST_BYTES)
      throw new StatusError(500, "", "etcdserver: request is too large");
    const stored = this.store.write(this.table(def), next, oldStored ? "MODIFIED" : "ADDED");
    this.afterWrite(def, stored, oldStored);
    return stored;
  }

  private validateCrdNames(crd: KObject, old: KObject | undefined): void {
    const spec = (crd.spec ?? {}) as Obj;
    const names = (spec.names ?? {}) as Obj;
    const group = String(spec.group ?? "");
    if (old) return;
    for (const v of (spec.versions ?? []) as Obj[]) {
      const existing = this.registry.get(group, String(v.name), String(names.plural ?? ""));
      if (existing && !existing.crd) {
        throw invalid("apiextensions.k8s.io", "CustomResourceDefinition", crd.metadata.name ?? "", [
          { type: "FieldValueInvalid", field: "spec.group", value: group, detail: "is a built-in API group" },
        ]);
      }
    }
  }

  private afterWrite(def: ResourceDef, obj: KObject, old: KObject | undefined): void {
    if (def.group === "apiextensions.k8s.io" && def.kind === "CustomResourceDefinition") this.crdChanged(obj);
    if (def.group === "" && def.kind === "Namespace" && !old) this.namespaceCreated(obj);
    for (const l of this.listeners) l(def, obj, old);
  }

  private crdChanged(crd: KObject): void {
    this.registry.setCrd(crd);
    const spec = (crd.spec ?? {}) as Obj;
    const names = spec.names;
    const status = (crd.status ?? {}) as Obj;
    const desired: Obj = {
      acceptedNames: names,
      conditions: [
        {
          type: "NamesAccepted",
          status: "True",
          lastTransitionTime: nowTimestamp(),
          reason: "NoConflicts",
          message: "no conflicts found",
        },
        {
          type: "Established",
          status: "True",
          lastTransitionTime: nowTimestamp(),
          reason: "InitialNamesAccepted",
          message: "the initial names have been accepted",
        },
      ],
      storedVersions: [
        ...new Set([
          ...((status.storedVersions ?? []) as string[]),
          ...((spec.versions ?? []) as Obj[]).filter((v) => v.storage).map((v) => String(v.name)),
        ]),
      ],
    };
    const keep = (c: Obj[] | undefined) => (c ?? []).map((x) => ({ type: x.type, status: x.status }));
    if (
      deepEqual(status.acceptedNames, desired.acceptedNames) &&
      deepEqual(keep(status.conditions as Obj[] | undefined), keep(desired.conditions as Obj[])) &&
      deepEqual(status.storedVersions, desired.storedVersions)
    )
      return;
    const def = this.registry.get("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    if (!def) return;
    const next = structuredClone(crd);
    next.status = desired;
    this.commit(def, crd, next, { fieldManager: "kube-apiserver", dryRun: false, subresource: "status" }, undefined);
  }

  private namespaceCreated(ns: KObject): void {
    const name = ns.metadata.name ?? "";
    const saDef = this.registry.get("", "v1", "serviceaccounts");
    const cmDef = this.registry.get("", "v1", "configmaps");
    if (saDef && !this.find(saDef, name, "default")) {
      this.create(
        saDef,
        name,
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } },
        { fieldManager: "kube-controller-manager", dryRun: false },
      );
    }
    if (cmDef && this.rootCaPem && !this.find(cmDef, name, "kube-root-ca.crt")) {
      this.create(
        cmDef,
        name,
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "kube-root-ca.crt",
            annotations: {
              "kubernetes.io/description":
                "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
            },
          },
          data: { "ca.crt": this.rootCaPem },
        },
        { fieldManager: "kube-controller-manager", dryRun: false },
      );
    }
  }

  /** Published into every namespace as kube-root-ca.crt, like the root-ca-cert-publisher controller. */
  rootCaPem = "";

  delete(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions,
  ): { obj: KObject; finished: boolean } {
    const obj = this.get(def, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw conflict(
        def.group,
        def.name,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ""}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(
        def.group,
        def.name,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ""}`,
      );
    }
    if (opts.dryRun) return { obj, finished: !obj.metadata.finalizers?.length };
    if (def.group === "" && def.kind === "Namespace") return { obj: this.deleteNamespace(obj), finished: false };
    const policy = opts.propagationPolicy ?? "Background";
    const finalizers = [...(obj.metadata.finalizers ?? [])];
    if (
      policy === "Foreground" &&
      this.store.dependentsOf(obj.metadata.uid ?? "").length > 0 &&
      !finalizers.includes("foregroundDeletion")
    )
      finalizers.push("foregroundDeletion");
    if (policy === "Orphan" && this.store.dependentsOf(obj.metadata.uid ?? "").length > 0) this.orphanDependents(obj);
    if (finalizers.length > 0) {
      if (obj.metadata.deletionTimestamp) return { obj, finished: false };
      const next = structuredClone(obj);
      next.metadata.deletionTimestamp = nowTimestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      next.metadata.finalizers = finalizers;
      const stored = this.store.write(this.table(def), next, "MODIFIED");
      this.afterWrite(def, stored, obj);
      if (finalizers.includes("foregroundDeletion")) this.foregroundDelete(def, stored);
      return { obj: stored, finished: false };
    }
    return { obj: this.finishDelete(def, obj, policy), finished: true };
  }

  private foregroundDelete(def: ResourceDef, owner: KObject): void {
    for (const [table, dep] of this.store.dependentsOf(owner.metadata.uid ?? ""))
      this.deleteDependent(table, dep, "Foreground");
    const current = this.find(def, owner.metadata.namespace, owner.metadata.name ?? "");
    if (!current) return;
    const rest = (current.metadata.finalizers ?? []).filter((f) => f !== "foregroundDeletion");
    const next = structuredClone(current);
    next.metadata.finalizers = rest;
    this.commit(
      def,
      current,
      next,
      { fieldManager: "kube-controller-manager", dryRun: false },
      current.metadata.managedFields ?? [],
    );
  }

  private orphanDependents(owner: KObject): void {
    for (const [table, dep] of this.store.dependentsOf(owner.metadata.uid ?? "")) {
      const next = structuredClone(dep);
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
      if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
      this.store.write(table, next, "MODIFIED");
    }
  }

  /** Removes the object for good, then lets the garbage collector handle its dependents. */
  private finishDelete(def: ResourceDef, obj: KObject, policy: "Orphan" | "Background" | "Foreground"): KObject {
    const table = this.table(def);
    const removed = this.store.remove(table, obj);
    if (def.group === "apiextensions.k8s.io" && def.kind === "CustomResourceDefinition") this.crdDeleted(obj);
    if (policy !== "Orphan") {
      for (const [depTable, dep] of this.store.dependentsOf(obj.metadata.uid ?? ""))
        this.deleteDependent(depTable, dep, "Background");
    }
    for (const l of this.listeners) l(def, removed, obj);
    return removed;
  }

  private deleteDependent(table: string, dep: KObject, policy: "Background" | "Foreground"): void {
    const [group, resource] = [table.slice(0, table.indexOf("/")), table.slice(table.indexOf("/") + 1)];
    const def = this.registry.preferred(group, resource);
    if (!def) return;
    // Dependents with another live owner stay.
    const liveOwners = (dep.metadata.ownerReferences ?? []).filter((r) =>
      this.ownerExists(r.uid, dep.metadata.namespace),
    );
    if (liveOwners.length > 0) return;
    try {
      this.delete(def, dep.metadata.namespace, dep.metadata.name ?? "", { dryRun: false, propagationPolicy: policy });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }

  private ownerExists(uid: string, namespace: string | undefined): boolean {
    for (const def of this.registry.allStored()) {
      for (const o of this.store.list(this.table(def), def.namespaced ? namespace : undefined)) {
        if (o.metadata.uid === uid && !o.metadata.deletionTimestamp) return true;
      }
    }
    return false;
  }

  private crdDeleted(crd: KObject): void {
    const spec = (crd.spec ?? {}) as Obj;
    const names = (spec.names ?? {}) as Obj;
    const table = storageKey(String(spec.group ?? ""), String(names.plural ?? ""));
    for (const o of this.store.list(table)) this.store.remove(table, o);
    this.registry.removeCrd(crd.metadata.name ?? "");
  }

  private deleteNamespace(ns: KObject): KObject {
    const name = ns.metadata.name ?? "";
    const def = this.registry.get("", "v1", "namespaces");
    if (!def) return ns;
    let current = ns;
    if (!ns.metadata.deletionTimestamp) {
      const next = structuredClone(ns);
      next.metadata.deletionTimestamp = nowTimestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      next.status = {
        phase: "Terminating",
        conditions: [
          {
            type: "NamespaceDeletionDiscoveryFailure",
            status: "False",
            lastTransitionTime: nowTimestamp(),
            reason: "ResourcesDiscovered",
            message: "All resources successfully discovered",
          },
          {
            type: "NamespaceDeletionContentFailure",
            status: "False",
            lastTransitionTime: nowTimestamp(),
            reason: "ContentDeleted",
            message: "All content successfully deleted, may be waiting on finalization",
          },
        ],
      };
      current = this.store.write("/namespaces", next, "MODIFIED");
      this.terminatingNamespaces.add(name);
    }
    // The namespace controller runs asynchronously: the DELETE answers with the Terminating namespace first.
    setTimeout(() => this.finalizeNamespace(name), 0).unref();
    return current;
  }

  private finalizeNamespace(name: string): void {
    let blocked = false;
    for (const def of this.registry.allStored()) {
      if (!def.namespaced) continue;
      for (const o of this.store.list(this.table(def), name)) {
        if (o.metadata.deletionTimestamp) {
          blocked = true;
          continue;
        }
        try {
          const r = this.delete(def, name, o.metadata.name ?? "", { dryRun: false, propagationPolicy: "Background" });
          if (!r.finished) blocked = true;
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
    }
    if (blocked) {
      setTimeout(() => this.finalizeNamespace(name), 200).unref();
      return;
    }
    const ns = this.store.get("/namespaces", undefined, name);
    this.terminatingNamespaces.delete(name);
    if (ns && ns.metadata.deletionTimestamp) {
      const def = this.registry.get("", "v1", "namespaces");
      if (def) this.finishDelete(def, ns, "Background");
    }
  }

  /** Lists with selectors and pagination; `filter` applies label/field selectors. */
  list(
    def: ResourceDef,
    namespace: string | undefined,
    filter: (o: KObject) => boolean,
    limit: number | undefined,
    continueToken: string | undefined,
  ): { items: KObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number } {
    const table = this.table(def);
    let rv = this.store.resourceVersion;
    let start: string | undefined;
    if (continueToken) {
      const decoded = this.store.decodeContinue(continueToken);
      rv = decoded.rv;
      start = decoded.start.replace(/\u0000$/, "");
    }
    const all = this.store.list(table, def.namespaced ? namespace : undefined);
    const items: KObject[] = [];
    let lastKey = "";
    let remaining = 0;
    let more = false;
    for (const o of all) {
      const key = objectKey(o.metadata.namespace, o.metadata.name ?? "");
      if (start !== undefined && key <= start) continue;
      if (!filter(o)) continue;
      if (limit && items.length >= limit) {
        more = true;
        remaining++;
        continue;
      }
      items.push(o);
      lastKey = key;
    }
    const out: { items: KObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number } = {
      items,
      resourceVersion: String(rv),
    };
    if (more) {
      out.continueToken = this.store.encodeContinue(rv, lastKey);
      out.remainingItemCount = remaining;
    }
    return out;
  }
}

function defaultJobSelector(job: KObject): void {
  const spec = (isObj(job.spec) ? job.spec : (job.spec = {})) as Obj;
  if (spec.manualSelector === true) return;
  const uid = job.metadata.uid ?? "";
  const name = job.metadata.name ?? "";
  spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
  const template = (isObj(spec.template) ? spec.template : (spec.template = {})) as Obj;
  const tmeta = (isObj(template.metadata) ? template.metadata : (template.metadata = {})) as Obj;
  tmeta.labels = {
    ...((tmeta.labels ?? {}) as Record<string, string>),
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
    "controller-uid": uid,
    "job-name": name,
  };
}

/** autoscaling/v1 ⇄ v2 for the fields v1 has (CPU utilization target). */
function convertHpa(obj: KObject, toVersion: string): void {
  const spec = isObj(obj.spec) ? { ...obj.spec } : undefined;
  if (!spec) return;
  if (toVersion === "v1") {
    const metrics = (spec.metrics ?? []) as Obj[];
    const cpu = metrics.find((m) => m.type === "Resource" && isObj(m.resource) && m.resource.name === "cpu");
    const target = isObj(cpu?.resource) ? ((cpu.resource as Obj).target as Obj | undefined) : undefined;
    delete spec.metrics;
    delete spec.behavior;
    if (target && typeof target.averageUtilization === "number")
      spec.targetCPUUtilizationPercentage = target.averageUtilization;
  } else if (toVersion === "v2") {
    const pct = spec.targetCPUUtilizationPercentage;
    delete spec.targetCPUUtilizationPercentage;
    if (typeof pct === "number")
      spec.metrics = [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: pct } } },
      ];
  }
  obj.spec = spec;
}
