import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  applyManifests,
  assertRolloutSucceeded,
  RolloutError,
  waitForRollout,
  WatchBudget,
  type KubeObject,
  type RolloutProgress,
} from "@/lib/kube";
import { deployment, namespace, startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube();
});
afterAll(async () => {
  await kube?.stop();
});

function job(ns: string, name: string, image: string): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: ns },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "job", image }] } } },
  };
}

describe("waitForRollout", () => {
  it("succeeds once Deployments and Jobs are ready, reporting progress", async () => {
    const ns = uniqueName("rollout");
    const objects = [namespace(ns), deployment(ns, "web"), deployment(ns, "api"), job(ns, "migrate", "busybox:1.36")];
    await applyManifests(kube.client, objects, { fieldManager: "wharf" });
    const progress: RolloutProgress[] = [];
    const report = await waitForRollout(kube.client, objects, {
      timeoutMs: 30_000,
      onProgress: (p) => progress.push(p),
    });
    expect(report.results.map((r) => [r.ref.name, r.state])).toEqual([
      ["web", "ready"],
      ["api", "ready"],
      ["migrate", "ready"],
    ]);
    expect(report.ok).toBe(true);
    expect(report.results[0]?.message).toBe('deployment "web" successfully rolled out');
    const web = progress.filter((p) => p.name === "web");
    expect(web.at(-1)).toMatchObject({ kind: "Deployment", namespace: ns, ready: 2, desired: 2, state: "ready" });
    expect(web.some((p) => p.state === "progressing")).toBe(true);
    expect(() => assertRolloutSucceeded(report)).not.toThrow();
  });

  it("follows a namespace's workloads with one list and one watch, not a request per workload per poll", async () => {
    const ns = uniqueName("rollwatch");
    const names = ["a", "b", "c", "d", "e", "f"];
    const objects = [namespace(ns), ...names.map((name) => deployment(ns, name))];
    await applyManifests(kube.client, objects, { fieldManager: "wharf" });
    const before = kube.client.stats.requests;
    const report = await waitForRollout(kube.client, objects, { timeoutMs: 30_000, watch: true });
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => [r.ref.name, r.state])).toEqual(names.map((name) => [name, "ready"]));
    // Polling would have read each of the six at least once; the watch saw all of them become ready as it happened.
    expect(kube.client.stats.requests - before).toBeLessThanOrEqual(3);
  });

  it("watches no more kinds and namespaces at once than its budget allows; the rest are polled, the budget handed back", async () => {
    const [first, second] = [uniqueName("rollbudget"), uniqueName("rollbudget")];
    const objects = [namespace(first), namespace(second), deployment(first, "web"), deployment(second, "web")];
    await applyManifests(kube.client, objects, { fieldManager: "wharf" });
    const watch = vi.spyOn(kube.client, "watch");
    try {
      const budget = new WatchBudget(1);
      const report = await waitForRollout(kube.client, objects, {
        timeoutMs: 30_000,
        watch: true,
        watchBudget: budget,
      });
      expect(report.results.map((r) => [r.ref.namespace, r.state])).toEqual([
        [first, "ready"],
        [second, "ready"],
      ]);
      // The first namespace took the one watch (in order); the second was polled all the same, never watched.
      expect(watch.mock.calls.map((call) => call[2].namespace).filter((ns) => ns !== first)).toEqual([]);
      expect(budget.inUse).toBe(0);

      watch.mockClear();
      const spent = new WatchBudget(0);
      const again = await waitForRollout(kube.client, objects, { timeoutMs: 30_000, watch: true, watchBudget: spent });
      expect(again.ok).toBe(true);
      expect(watch).not.toHaveBeenCalled();
    } finally {
      watch.mockRestore();
    }
  });

  it("a workload deleted while it is followed fails as deleted; the others are still followed to the end", async () => {
    const slow = await startKube({ rolloutDelayMs: 3000 });
    try {
      const ns = uniqueName("rolldelete");
      const objects = [namespace(ns), deployment(ns, "kept"), deployment(ns, "gone")];
      await applyManifests(slow.client, objects, { fieldManager: "wharf" });
      const waiting = waitForRollout(slow.client, objects, { timeoutMs: 30_000, watch: true });
      await new Promise((r) => setTimeout(r, 300));
      await slow.client.delete({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "gone" });
      const report = await waiting;
      const byName = Object.fromEntries(report.results.map((r) => [r.ref.name, r]));
      expect(byName.gone).toMatchObject({ state: "failed", message: 'deployment "gone" was deleted' });
      expect(byName.kept?.state).toBe("ready");
    } finally {
      await slow.stop();
    }
  });

  it("fails a Deployment whose image never becomes available with the progress-deadline message", async () => {
    const ns = uniqueName("rollfail");
    // A real Deployment controller reports ProgressDeadlineExceeded only after progressDeadlineSeconds (the sandbox at
    // once); kwok crash-loops the `:fail` image as the sandbox does.
    const objects = [
      namespace(ns),
      deployment(ns, "good"),
      deployment(ns, "broken", "nginx:fail", { progressDeadlineSeconds: 10 }),
    ];
    await applyManifests(kube.client, objects, { fieldManager: "wharf" });
    const report = await waitForRollout(kube.client, objects, { timeoutMs: 45_000 });
    const byName = Object.fromEntries(report.results.map((r) => [r.ref.name, r]));
    expect(byName.good?.state).toBe("ready");
    expect(byName.broken?.state).toBe("failed");
    expect(byName.broken?.message).toMatch(/^deployment "broken" exceeded its progress deadline/);
    expect(report.ok).toBe(false);
    expect(() => assertRolloutSucceeded(report)).toThrow(RolloutError);
    expect(() => assertRolloutSucceeded(report)).toThrow(
      /Deployment broken \(namespace .*\): deployment "broken" exceeded its progress deadline/,
    );
  });

  it("fails a Job whose pod fails", async () => {
    const ns = uniqueName("jobfail");
    const objects = [namespace(ns), job(ns, "migrate", "busybox:fail")];
    await applyManifests(kube.client, objects, { fieldManager: "wharf" });
    const report = await waitForRollout(kube.client, objects, { timeoutMs: 45_000 });
    expect(report.results[0]?.state).toBe("failed");
    expect(report.results[0]?.message).toMatch(/^job "migrate" failed/);
  });

  it.each([
    ["polling", false],
    ["watching", true],
  ])("times out with the last status in the message (%s)", async (_mode, watch) => {
    // Slow on both legs: the sandbox delays readiness 20 s; on the real leg the Pods can never be scheduled (no node
    // has that label), as on a full cluster.
    const slow = await startKube({ rolloutDelayMs: 20_000 });
    try {
      const ns = uniqueName("rolltimeout");
      const unschedulable = deployment(ns, "slow");
      (unschedulable.spec as { template: { spec: Record<string, unknown> } }).template.spec.nodeSelector = {
        "wharf.test/no-such-node": "true",
      };
      const objects = [namespace(ns), unschedulable];
      await applyManifests(slow.client, objects, { fieldManager: "wharf" });
      const report = await waitForRollout(slow.client, objects, { timeoutMs: 5000, watch });
      expect(report.results[0]?.state).toBe("timeout");
      expect(report.results[0]?.message).toMatch(
        /^timed out after 5s waiting for rollout: Waiting for deployment "slow" rollout to finish/,
      );
    } finally {
      await slow.stop();
    }
  });
});
