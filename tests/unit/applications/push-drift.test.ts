import { describe, expect, it } from "vitest";
import {
  describePushDrift,
  parsePushDriftDetails,
  pushDriftDetails,
  pushDriftManagers,
  pushDriftSignature,
} from "@/lib/applications/push-drift";
import { refKey, type ObjectRef, type ObjectSyncStatus } from "@/lib/kube";

const web: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" };
const settings: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "settings" };
const owner = (manager: string) => ({ manager, operation: "Update", time: "2026-12-06T22:00:00Z" });

describe("push drift: what a status read records", () => {
  it("names each drifted field as applied → live with the manager that changed it, and a missing object as such", () => {
    const sync = new Map<string, ObjectSyncStatus>([
      [
        refKey(web),
        {
          status: "OutOfSync",
          fields: [
            { path: "spec.replicas", applied: "3", live: "7", owner: owner("kubectl-edit") },
            { path: "spec.template.metadata.labels.tier", live: "front", owner: owner("helm") },
          ],
        },
      ],
      [refKey(settings), { status: "OutOfSync", fields: [], message: "Missing from the cluster" }],
    ]);
    const details = pushDriftDetails(
      {
        objects: [
          { ref: web, fields: ["spec.replicas", "spec.template.metadata.labels.tier"] },
          { ref: settings, fields: ["(object missing)"] },
        ],
        truncated: false,
      },
      sync,
    );
    expect(describePushDrift(details)).toBe(
      "Deployment shop/web: spec.replicas 3 → 7 (kubectl-edit), spec.template.metadata.labels.tier (not set) → front (helm); " +
        "ConfigMap shop/settings: Missing from the cluster",
    );
    expect(pushDriftManagers(details)).toEqual(["kubectl-edit", "helm"]);
    // Stored as JSON and read back for the timeline; a garbled row reads as no drift.
    expect(parsePushDriftDetails(JSON.stringify(details))).toEqual(details);
    expect(parsePushDriftDetails("{oops")).toEqual({ drift: { objects: [], truncated: false }, sync: [] });
  });

  it("the signature is the drift's paths hashed: equal paths, equal signature", () => {
    const a = JSON.stringify([{ ref: web, fields: ["spec.replicas"] }]);
    expect(pushDriftSignature(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(pushDriftSignature(a)).toBe(pushDriftSignature(String(a)));
    expect(pushDriftSignature(a)).not.toBe(pushDriftSignature(JSON.stringify([{ ref: web, fields: ["spec.paused"] }])));
  });
});
