import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as deploymentsRoute from "@/app/api/deployments/route";
import { pushApplySet } from "@/lib/deployments/manifests";
import { APPLYSET_PART_OF_LABEL, applySetId, refOf } from "@/lib/kube";
import { parseRendered } from "@/lib/render";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useExecutorFixture } from "../support/executor-fixture";
import { startGitServer, type GitServer } from "../support/git-server";
import { kubePrometheusLike } from "../support/render-fixtures";
import { useTestDatabase } from "../support/test-db";

// Issue 14: kube-prometheus's manifests (4 MB from Git, mostly CRDs and custom resources of those CRDs) are requested as
// a push deployment of ONE application through the API and run by the executor, on both databases and cluster legs.

const t = useTestDatabase();
const fx = useExecutorFixture(t, { rolloutDelayMs: 100 });
let git: GitServer;
let deployer: Caller;

beforeAll(async () => {
  git = await startGitServer();
  deployer = await createCaller("deployer");
});
afterAll(async () => {
  await git?.stop();
});

describe("a kube-prometheus-like source from Git", () => {
  it(
    "deploys as one application: previewed, applied (CRDs Established first), rolled out; again, nothing changes",
    { timeout: 400_000 },
    async () => {
      const target = await fx.pushTarget({ clusterAdmin: true, allowClusterScoped: true });
      const ns = target.namespaces[0]!;
      const group = `${ns}.monitoring.example.com`;
      const files = kubePrometheusLike({ namespace: ns, group, prefix: `${ns}-` });
      expect(Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0)).toBeGreaterThan(4_000_000);
      const expected = parseRendered(Object.entries(files).map(([path, content]) => ({ path, content }))).map((m) =>
        refOf(m.object),
      );
      const repo = await git.createRepo(`kube-prometheus-${ns}`);
      await repo.commit({ author: { name: "Ada", email: "ada@example.com" }, files });

      const deploy = async () => {
        const res = await callRoute(deploymentsRoute.POST, {
          method: "POST",
          path: "/api/deployments",
          body: {
            targetId: target.targetId,
            application: "kube-prometheus",
            source: { kind: "git", url: repo.url, ref: "main", path: "manifests" },
            reason: "monitoring",
          },
          as: deployer,
        });
        expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(201);
        const id = (res.body as { id: string }).id;
        const requested = await fx.db().deployment.findUniqueOrThrow({ where: { id } });
        expect(requested.previewError).toBeNull();
        expect(requested.state).toBe("queued");
        const preview = JSON.parse(requested.previewJson ?? "null") as { counts: Record<string, number> };
        const { row, log } = await fx.run(id);
        return { row, log, preview };
      };

      const first = await deploy();
      expect(first.row.state, `${first.row.resultMessage ?? ""}\n${first.log.slice(-3000)}`).toBe("succeeded");
      expect(first.row.objectCount).toBe(expected.length);
      // Everything is new but the namespace, which the target's setup created.
      expect(first.preview.counts).toMatchObject({ create: expected.length - 1, change: 1, prune: 0 });
      const objects = await fx.db().deploymentObject.findMany({ where: { deploymentId: first.row.id } });
      expect(objects.filter((o) => o.action !== "created").map((o) => `${o.kind}/${o.name}: ${o.action}`)).toEqual([
        `Namespace/${ns}: configured`,
      ]);

      const prometheus = await fx.admin.get({
        apiVersion: `${group}/v1`,
        kind: "Prometheus",
        namespace: ns,
        name: "k8s",
      });
      const application = await fx.db().application.findFirstOrThrow({
        where: { targetId: target.targetId, name: "kube-prometheus" },
      });
      expect(prometheus?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(
        applySetId(pushApplySet({ id: target.targetId, name: target.name, defaultNamespace: ns }, application)),
      );

      const second = await deploy();
      expect(second.row.state, second.row.resultMessage ?? "").toBe("succeeded");
      expect(second.preview.counts).toMatchObject({ create: 0, change: 0, prune: 0 });
      const again = await fx.db().deploymentObject.findMany({ where: { deploymentId: second.row.id } });
      expect(again.filter((o) => o.action !== "unchanged").map((o) => `${o.kind}/${o.name}: ${o.action}`)).toEqual([]);
    },
  );
});
