import { z } from "zod";
import { LIVE_TREE_NODES_MAX, type TLiveNode } from "@/lib/agent/protocol";
import type { KubeObject } from "@/lib/kube/types";

/** How many images a revision summary keeps: a list row names a few and counts the rest. */
export const REVISION_IMAGES_MAX = 5;

/**
 * What a revision runs, small enough for every row of a list: the Helm chart (from the `helm.sh/chart` label Helm
 * charts put on their objects) and the container images of its workloads, the first few in manifest order.
 */
export const ZRevisionSummary = z.object({
  chart: z
    .object({ name: z.string().max(253), version: z.string().max(100) })
    .nullable()
    .describe("The Helm chart and its version, when the objects carry a helm.sh/chart label."),
  images: z.array(z.string().max(1000)).max(REVISION_IMAGES_MAX).describe("The first distinct container images."),
  imageCount: z.number().int().min(0).describe("How many distinct images there are in all."),
});
export type TRevisionSummary = z.output<typeof ZRevisionSummary>;

/**
 * `helm.sh/chart` is `<name>-<version>`, and chart names may contain dashes: the version starts at the first dash
 * followed by a version-looking part (`kube-prometheus-stack-45.7.1-rc.1` → kube-prometheus-stack, 45.7.1-rc.1).
 */
export function parseChartLabel(label: string): { name: string; version: string } | null {
  const m = /^(.+?)-(v?\d+(?:\.\d+)*(?:[-+].*)?)$/.exec(label.trim());
  return m ? { name: m[1]!.slice(0, 253), version: m[2]!.slice(0, 100) } : null;
}

const CONTAINER_LISTS = ["initContainers", "containers"] as const;

/** Images of every pod spec inside `value` (Deployment template, CronJob job template, a bare Pod), bounded depth. */
function collectImages(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const v of value) collectImages(v, into, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const list of CONTAINER_LISTS) {
    const containers = obj[list];
    if (Array.isArray(containers))
      for (const c of containers) {
        const image = (c as { image?: unknown } | null)?.image;
        if (typeof image === "string" && image.trim()) into.add(image.trim());
      }
  }
  for (const [key, v] of Object.entries(obj))
    if (key !== "metadata" && key !== "status" && !(CONTAINER_LISTS as readonly string[]).includes(key))
      collectImages(v, into, depth + 1);
}

function summaryOf(chartLabels: Map<string, number>, images: Set<string>): TRevisionSummary {
  // Subcharts label their own objects: the label most objects carry is the chart that was deployed.
  let chart: TRevisionSummary["chart"] = null;
  let best = 0;
  for (const [label, n] of chartLabels)
    if (n > best) {
      const parsed = parseChartLabel(label);
      if (parsed) {
        chart = parsed;
        best = n;
      }
    }
  const all = [...images];
  return { chart, images: all.slice(0, REVISION_IMAGES_MAX), imageCount: all.length };
}

/** The summary of manifests about to be deployed (computed once, when the request is stored). */
export function summarizeObjects(objects: readonly KubeObject[]): TRevisionSummary {
  const charts = new Map<string, number>();
  const images = new Set<string>();
  for (const o of objects) {
    const label = o.metadata?.labels?.["helm.sh/chart"];
    if (typeof label === "string") charts.set(label, (charts.get(label) ?? 0) + 1);
    collectImages(o.spec, images);
  }
  return summaryOf(charts, images);
}

/**
 * The images the Pods of a live tree run (what the agent or a cluster read observed), as a summary without chart.
 * Reads the stored tree JSON defensively (it was validated when reported, but a newer writer may add shapes) and
 * walks at most LIVE_TREE_NODES_MAX nodes, breadth first so the application's own workloads come first.
 */
export function summarizeLiveTree(roots: unknown): TRevisionSummary {
  const images = new Set<string>();
  const queue: unknown[] = Array.isArray(roots) ? [...roots] : [];
  for (let i = 0; i < queue.length && i < LIVE_TREE_NODES_MAX; i++) {
    const node = queue[i] as Partial<TLiveNode> | null;
    if (!node || typeof node !== "object") continue;
    for (const image of Array.isArray(node.pod?.images) ? node.pod.images : [])
      if (typeof image === "string" && image) images.add(image);
    if (Array.isArray(node.children)) queue.push(...(node.children as unknown[]));
  }
  return summaryOf(new Map(), images);
}

/** A stored summary; null when absent (rows stored before summaries were kept) or unreadable. */
export function parseRevisionSummary(json: string | null | undefined): TRevisionSummary | null {
  if (!json) return null;
  try {
    const parsed = ZRevisionSummary.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
