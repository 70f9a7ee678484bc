import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyManifests,
  refOf,
  requestServiceAccountToken,
  selfSubjectAccessReview,
  selfSubjectRulesReview,
  type KubeObject,
} from "@/lib/kube";
import { clientFor, configMap, namespace, startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube();
});
afterAll(async () => {
  await kube?.stop();
});

describe("access", () => {
  it("answers access reviews for a scoped credential and issues working tokens", async () => {
    const ns = uniqueName("access");
    const objects: KubeObject[] = [
      namespace(ns),
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "reader", namespace: ns } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "reader", namespace: ns },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }],
      } as KubeObject,
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "reader", namespace: ns },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
        subjects: [{ kind: "ServiceAccount", name: "reader", namespace: ns }],
      } as KubeObject,
      configMap(ns, "visible"),
    ];
    expect((await applyManifests(kube.client, objects, { fieldManager: "test-setup" })).ok).toBe(true);

    // The admin issues a token for the ServiceAccount through the TokenRequest API.
    const issued = await requestServiceAccountToken(kube.client, ns, "reader", 1200);
    expect(issued.token.length).toBeGreaterThan(20);
    expect(issued.expiresAt.getTime()).toBeGreaterThan(Date.now() + 1100 * 1000);
    expect(issued.expiresAt.getTime()).toBeLessThan(Date.now() + 1300 * 1000);

    const reader = clientFor(kube.cluster, issued.token);
    try {
      expect(
        await selfSubjectAccessReview(reader, { verb: "get", resource: "configmaps", namespace: ns }),
      ).toMatchObject({ allowed: true });
      expect(
        await selfSubjectAccessReview(reader, { verb: "delete", resource: "configmaps", namespace: ns }),
      ).toMatchObject({ allowed: false });
      expect(
        await selfSubjectAccessReview(reader, { verb: "get", resource: "configmaps", namespace: "default" }),
      ).toMatchObject({ allowed: false });
      const rules = await selfSubjectRulesReview(reader, ns);
      expect(rules.resourceRules).toContainEqual(
        expect.objectContaining({ resources: ["configmaps"], verbs: ["get", "list"] }),
      );
      expect((await reader.get(refOf(configMap(ns, "visible"))))?.metadata.name).toBe("visible");
    } finally {
      await reader.close();
    }
  });
});
