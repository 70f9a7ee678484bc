/** JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes strategic merge patch. */
import { StatusError, badRequest } from "./errors";

type JsonObject = { [k: string]: unknown };

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, "/").replace(/~0/g, "~");
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/"))
    throw new StatusError(
      422,
      "Invalid",
      `the server rejected our request due to an error in our request: invalid JSON pointer ${JSON.stringify(pointer)}`,
    );
  return pointer.slice(1).split("/").map(unescapePointer);
}

function jsonPatchError(message: string): StatusError {
  return new StatusError(422, "UnprocessableEntity", message);
}

function resolveParent(doc: unknown, segs: string[], op: string): { parent: unknown; key: string } {
  let cur = doc;
  for (const seg of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else cur = undefined;
    if (cur === undefined)
      throw jsonPatchError(`${op} operation does not apply: doc is missing path: "/${segs.join("/")}": missing value`);
  }
  return { parent: cur, key: segs[segs.length - 1] ?? "" };
}

function getAt(doc: unknown, segs: string[]): unknown {
  let cur = doc;
  for (const seg of segs) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/** Applies an RFC 6902 patch to a copy of the document. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("json patch must be an array of operations");
  let out = structuredClone(doc);
  for (const raw of ops) {
    if (!isObject(raw)) throw badRequest("json patch operation must be an object");
    const op = String(raw.op ?? "");
    const path = parsePointer(String(raw.path ?? ""));
    const add = (target: string[], value: unknown) => {
      if (target.length === 0) {
        out = structuredClone(value);
        return;
      }
      const { parent, key } = resolveParent(out, target, "add");
      if (Array.isArray(parent)) {
        const idx = key === "-" ? parent.length : Number(key);
        if (!Number.isInteger(idx) || idx < 0 || idx > parent.length)
          throw jsonPatchError(`add operation does not apply: index out of bounds: ${key}`);
        parent.splice(idx, 0, structuredClone(value));
      } else if (isObject(parent)) parent[key] = structuredClone(value);
      else
        throw jsonPatchError(
          `add operation does not apply: doc is missing path: "/${target.join("/")}": missing value`,
        );
    };
    const remove = (target: string[], opName: string): unknown => {
      const { parent, key } = resolveParent(out, target, opName);
      if (Array.isArray(parent)) {
        const idx = Number(key);
        if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length)
          throw jsonPatchError(
            `${opName} operation does not apply: doc is missing path: "/${target.join("/")}": missing value`,
          );
        return parent.splice(idx, 1)[0];
      }
      if (isObject(parent) && key in parent) {
        const v = parent[key];
        delete parent[key];
        return v;
      }
      throw jsonPatchError(
        `${opName} operation does not apply: doc is missing path: "/${target.join("/")}": missing value`,
      );
    };
    switch (op) {
      case "add":
        add(path, raw.value);
        break;
      case "remove":
        remove(path, "remove");
        break;
      case "replace":
        remove(path, "replace");
        add(path, raw.value);
        break;
      case "move": {
        const v = remove(parsePointer(String(raw.from ?? "")), "move");
        add(path, v);
        break;
      }
      case "copy":
        add(path, getAt(out, parsePointer(String(raw.from ?? ""))));
        break;
      case "test": {
        const v = getAt(out, path);
        if (JSON.stringify(v) !== JSON.stringify(raw.value))
          throw jsonPatchError(`testing value /${path.join("/")} failed: test failed`);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${op}`);
    }
  }
  return out;
}

/** patchMergeKey per list field name of the built-in types (patchStrategy "merge"). */
function mergeKeyFor(path: readonly string[], kind: string): string | "primitive" | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 3];
  switch (last) {
    case "containers":
    case "initContainers":
    case "ephemeralContainers":
    case "env":
    case "volumes":
    case "imagePullSecrets":
    case "resourceClaims":
    case "schedulingGates":
      return "name";
    case "volumeMounts":
      return "mountPath";
    case "volumeDevices":
      return "devicePath";
    case "hostAliases":
      return "ip";
    case "conditions":
      return "type";
    case "ownerReferences":
      return "uid";
    case "topologySpreadConstraints":
      return "topologyKey";
    case "finalizers":
      return path.length === 2 && path[0] === "metadata" ? "primitive" : undefined;
    case "ports":
      if (parent === "containers" || parent === "initContainers" || parent === "ephemeralContainers")
        return "containerPort";
      if (kind === "Service" && path.length === 2 && path[0] === "spec") return "port";
      return undefined;
    default:
      return undefined;
  }
}

/** Applies a strategic merge patch for a built-in kind. */
export function strategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  if (!isObject(patch)) throw badRequest("strategic merge patch must be an object");
  return smpMap(isObject(target) ? target : {}, patch, [], kind);
}

function smpMap(target: JsonObject, patch: JsonObject, path: string[], kind: string): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === "delete") return undefined;
  let out: JsonObject = directive === "replace" ? {} : { ...target };
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  const orders = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys") continue;
    if (k.startsWith("$setElementOrder/")) {
      if (Array.isArray(v)) orders.set(k.slice("$setElementOrder/".length), v);
      continue;
    }
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const field = k.slice("$deleteFromPrimitiveList/".length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const childPath = [...path, k];
    const cur = out[k];
    if (isObject(v)) {
      const merged = smpMap(isObject(cur) ? cur : {}, v, childPath, kind);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else if (Array.isArray(v)) {
      out[k] = smpList(Array.isArray(cur) ? cur : [], v, childPath, kind);
    } else {
      out[k] = v;
    }
  }
  for (const [field, order] of orders) {
    const list = out[field];
    if (Array.isArray(list)) out[field] = applyOrder(list, order, mergeKeyFor([...path, field], kind));
  }
  if (retainKeys) {
    out = Object.fromEntries(Object.entries(out).filter(([k]) => retainKeys.includes(k)));
  }
  return out;
}

function applyOrder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (x: unknown) => (key && key !== "primitive" && isObject(x) ? JSON.stringify(x[key]) : JSON.stringify(x));
  const orderIds = order.map((o) =>
    key && key !== "primitive" && isObject(o) ? JSON.stringify(o[key]) : JSON.stringify(o),
  );
  const ordered: unknown[] = [];
  const rest: unknown[] = [];
  for (const item of list) (orderIds.includes(id(item)) ? ordered : rest).push(item);
  ordered.sort((a, b) => orderIds.indexOf(id(a)) - orderIds.indexOf(id(b)));
  return [...ordered, ...rest];
}

function smpList(target: unknown[], patch: unknown[], path: string[], kind: string): unknown[] {
  if (patch.some((p) => isObject(p) && p.$patch === "replace")) {
    return patch.filter((p) => !(isObject(p) && p.$patch === "replace")).map((p) => structuredClone(p));
  }
  const key = mergeKeyFor(path, kind);
  if (key === undefined) return structuredClone(patch);
  if (key === "primitive") {
    const out = [...target];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const out = [...target];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const idx = out.findIndex((x) => isObject(x) && x[key] === item[key]);
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = smpMap(out[idx] as JsonObject, item, [...path, "[]"], kind);
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      const fresh = smpMap({}, item, [...path, "[]"], kind);
      if (fresh) out.push(fresh);
    }
  }
  return out;
}
