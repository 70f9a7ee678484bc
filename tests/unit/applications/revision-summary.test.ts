import { describe, expect, it } from "vitest";
import {
  parseChartLabel,
  parseRevisionSummary,
  REVISION_IMAGES_MAX,
  summarizeLiveTree,
  summarizeObjects,
} from "@/lib/applications/revision-summary";
import type { KubeObject } from "@/lib/kube/types";

const workload = (kind: string, name: string, spec: unknown, chart?: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name, ...(chart ? { labels: { "helm.sh/chart": chart } } : {}) },
  spec,
});
const podSpec = (...images: string[]) => ({ containers: images.map((image, i) => ({ name: `c${i}`, image })) });

describe("revision summary", () => {
  it.each([
    ["web-1.4.2", { name: "web", version: "1.4.2" }],
    ["kube-prometheus-stack-45.7.1", { name: "kube-prometheus-stack", version: "45.7.1" }],
    ["my-app2-0.1.0-rc.1", { name: "my-app2", version: "0.1.0-rc.1" }],
    ["chart-v2.0.0+build.5", { name: "chart", version: "v2.0.0+build.5" }],
    ["no-version-here", null],
  ])("reads the helm.sh/chart label %s", (label, want) => {
    expect(parseChartLabel(label)).toEqual(want);
  });

  it("takes the chart most objects carry and the images of every pod template, init containers first", () => {
    const objects: KubeObject[] = [
      workload(
        "Deployment",
        "web",
        {
          template: {
            spec: { initContainers: [{ name: "init", image: "busybox:1.36" }], ...podSpec("web:2.0", "sidecar:1") },
          },
        },
        "web-1.4.2",
      ),
      workload("StatefulSet", "db", { template: { spec: podSpec("postgres:16", "web:2.0") } }, "web-1.4.2"),
      workload(
        "CronJob",
        "backup",
        { jobTemplate: { spec: { template: { spec: podSpec("backup:3") } } } },
        "postgresql-12.1.0",
      ),
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { image: "not-an-image" } },
    ];
    expect(summarizeObjects(objects)).toEqual({
      chart: { name: "web", version: "1.4.2" },
      images: ["busybox:1.36", "web:2.0", "sidecar:1", "postgres:16", "backup:3"],
      imageCount: 5,
    });
  });

  it("keeps at most a few images and counts the rest; manifests without a chart have none", () => {
    const many = Array.from({ length: 12 }, (_, i) => `img-${i}:1`);
    const s = summarizeObjects([workload("Deployment", "w", { template: { spec: podSpec(...many) } })]);
    expect(s.chart).toBeNull();
    expect(s.images).toEqual(many.slice(0, REVISION_IMAGES_MAX));
    expect(s.imageCount).toBe(12);
  });

  it("reads a live tree's Pod images breadth first and ignores what is not a tree", () => {
    const pod = (image: string) => ({ kind: "Pod", pod: { images: [image] }, children: [] });
    const roots = [
      { kind: "Deployment", children: [{ kind: "ReplicaSet", children: [pod("web:2"), pod("web:2")] }] },
      { kind: "StatefulSet", children: [pod("db:16")] },
    ];
    expect(summarizeLiveTree(roots)).toEqual({ chart: null, images: ["db:16", "web:2"], imageCount: 2 });
    expect(summarizeLiveTree(null)).toEqual({ chart: null, images: [], imageCount: 0 });
    expect(summarizeLiveTree([null, 3, { pod: { images: [7] } }])).toEqual({ chart: null, images: [], imageCount: 0 });
  });

  it("parses a stored summary, and reads an absent or broken one as null", () => {
    const s = { chart: null, images: ["a:1"], imageCount: 1 };
    expect(parseRevisionSummary(JSON.stringify(s))).toEqual(s);
    expect(parseRevisionSummary(null)).toBeNull();
    expect(parseRevisionSummary("{")).toBeNull();
    expect(parseRevisionSummary('{"images":"x"}')).toBeNull();
  });
});
