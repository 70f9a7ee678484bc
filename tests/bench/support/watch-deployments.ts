import { request } from "node:https";
import type { KubeObject } from "@/lib/kube";
import { deploymentStatus } from "@/lib/kube/rollout";

/** When the bench's watch first saw a generation of a Deployment, and when that generation was rolled out. */
export interface Generation {
  seenAt: number;
  readyAt?: number;
}

/**
 * A raw watch of a namespace's Deployments over node:https, stamped on arrival (lib/kube/rollout's readiness rule): the
 * benches time the cluster's rollout with it, outside the client library they measure.
 */
export function watchDeployments(cluster: { url: string; caPem: string; adminToken: string }, ns: string) {
  const seen = new Map<string, Map<number, Generation>>();
  let buffer = "";
  const onEvent = (line: string, at: number) => {
    const { object } = JSON.parse(line) as { type: string; object: KubeObject };
    const generation = Number(object.metadata.generation ?? 0);
    const gens = seen.get(object.metadata.name) ?? new Map<number, Generation>();
    seen.set(object.metadata.name, gens);
    const entry = gens.get(generation) ?? { seenAt: at };
    gens.set(generation, entry);
    if (entry.readyAt === undefined && deploymentStatus(object).state === "ready") entry.readyAt = at;
  };
  const req = request(
    `${cluster.url}/apis/apps/v1/namespaces/${ns}/deployments?watch=true&timeoutSeconds=3600`,
    { ca: cluster.caPem, headers: { authorization: `Bearer ${cluster.adminToken}`, accept: "application/json" } },
    (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const at = Date.now();
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) onEvent(line, at);
        }
      });
    },
  );
  req.on("error", () => undefined);
  req.end();
  /** When a Deployment was first seen ready, whichever its generation (NaN until it was). */
  const firstReadyAt = (gens: Map<number, Generation>) =>
    Math.min(...[...gens.values()].map((g) => g.readyAt ?? Number.POSITIVE_INFINITY));
  return {
    /** The newest generation seen of a Deployment (0 before any). */
    latest: (name: string) => Math.max(0, ...(seen.get(name)?.keys() ?? [])),
    generation: (name: string, generation: number) => seen.get(name)?.get(generation),
    /** When the last of `count` Deployments was first seen ready (NaN until all were). */
    allReadyAt: (count: number) => {
      const ready = [...seen.values()].map(firstReadyAt).map((t) => (Number.isFinite(t) ? t : Number.NaN));
      return ready.length < count ? Number.NaN : Math.max(...ready);
    },
    stop: () => req.destroy(),
  };
}
