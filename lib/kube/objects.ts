import { APPLYSET_PART_OF_LABEL } from "./applyset";
import { groupOf, INVENTORY_LABEL, isRecord, MANAGED_BY_LABEL, MANAGED_BY_VALUE, type KubeObject } from "./types";

/**
 * Adds Wharf's ownership labels to a copy of the object; the caller's object is left untouched. With an ApplySet id the
 * object is labelled `part-of` it and no longer with the legacy inventory label (server-side apply then drops that
 * label, which the same field manager set).
 */
export function withWharfLabels(obj: KubeObject, inventoryId?: string, applySetId?: string): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.labels = {
    ...(copy.metadata.labels ?? {}),
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    ...(applySetId ? { [APPLYSET_PART_OF_LABEL]: applySetId } : inventoryId ? { [INVENTORY_LABEL]: inventoryId } : {}),
  };
  return copy;
}

/** Kinds (group/kind) served by the CRDs in a set, so their instances can wait for them. */
export function crdServedKinds(objects: KubeObject[]): Map<string, KubeObject> {
  const kinds = new Map<string, KubeObject>();
  for (const obj of objects) {
    if (obj.kind !== "CustomResourceDefinition" || groupOf(obj.apiVersion) !== "apiextensions.k8s.io") continue;
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const names = isRecord(spec.names) ? spec.names : {};
    if (typeof spec.group === "string" && typeof names.kind === "string") kinds.set(`${spec.group}/${names.kind}`, obj);
  }
  return kinds;
}

/** Names of the Namespaces a set creates (objects in them cannot be dry-run before they exist). */
export function namespacesCreatedBy(objects: KubeObject[]): Set<string> {
  return new Set(
    objects.filter((o) => o.kind === "Namespace" && groupOf(o.apiVersion) === "").map((o) => o.metadata.name),
  );
}
