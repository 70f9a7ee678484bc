import { describe, expect, it } from "vitest";
import { manifestsPreview } from "@/lib/deployments/preview";
import { parseManifests } from "@/lib/kube";

// The confirmation of a push rollback shows what requesting an earlier deployment's manifests again changes compared
// with the live deployment's, without reading the cluster (lib/deployments/preview.ts manifestsPreview).
const live = parseManifests(`apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: green
---
apiVersion: v1
kind: Secret
metadata:
  name: token
  namespace: other
stringData:
  token: new-secret
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: added-later
data: {}
`);
const earlier = parseManifests(`apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: token
  namespace: other
stringData:
  token: old-secret
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{ port: 80 }]
`);

describe("manifestsPreview", () => {
  it("lists per object what the earlier manifests change, create and prune against the live ones", () => {
    const p = manifestsPreview(live, earlier, "shop");
    expect(p.counts).toEqual({ create: 1, change: 2, unchanged: 0, prune: 1, error: 0 });
    const byName = new Map(p.objects.map((o) => [o.name, o]));
    // A manifest without a namespace is in the target's default one, so it matches the same object named explicitly.
    expect(byName.get("settings")).toMatchObject({ action: "change", namespace: "shop" });
    expect(byName.get("settings")!.changes).toEqual([{ path: "data.color", op: "change", old: "green", new: "blue" }]);
    expect(byName.get("web")).toMatchObject({ action: "create", namespace: "shop", changes: [] });
    expect(byName.get("added-later")).toMatchObject({ action: "prune", namespace: "shop" });
    // Secret values never reach the dialog.
    expect(JSON.stringify(byName.get("token"))).not.toMatch(/old-secret|new-secret/);
  });

  it("says unchanged when the manifests are the same", () => {
    const p = manifestsPreview(live, live, "shop");
    expect(p.counts).toMatchObject({ create: 0, change: 0, unchanged: 3, prune: 0 });
    expect(p.objects.every((o) => o.changes.length === 0)).toBe(true);
  });
});
