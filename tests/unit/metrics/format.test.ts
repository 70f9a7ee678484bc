import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { histogramValues, snapshotMetric } from "@/lib/metrics/format";
import { routePattern } from "@/lib/metrics/registry";

describe("metrics helpers", () => {
  it("route patterns replace dynamic segments by their parameter names", () => {
    expect(routePattern("/api/targets/abc123/credentials", { id: "abc123" })).toBe("/api/targets/:id/credentials");
    expect(routePattern("/api/targets/t1/repo-bindings/b2", { id: "t1", bindingId: "b2" })).toBe(
      "/api/targets/:id/repo-bindings/:bindingId",
    );
    expect(routePattern("/api/targets", {})).toBe("/api/targets");
  });

  it("pre-aggregated histograms render cumulative buckets, +Inf, _sum and _count through prom-client", async () => {
    const reg = new Registry();
    reg.registerMetric(
      snapshotMetric(
        "x_seconds",
        "help",
        "histogram",
        histogramValues("x_seconds", [
          { labels: { mode: "push" }, bucketsUpperSeconds: [1, 10], counts: [2, 3, 4], sumSeconds: 50 },
        ]),
      ),
    );
    const text = await reg.metrics();
    expect(text).toContain("# TYPE x_seconds histogram");
    expect(text).toContain('x_seconds_bucket{mode="push",le="1"} 2');
    expect(text).toContain('x_seconds_bucket{mode="push",le="10"} 5');
    expect(text).toContain('x_seconds_bucket{mode="push",le="+Inf"} 9');
    expect(text).toContain('x_seconds_sum{mode="push"} 50');
    expect(text).toContain('x_seconds_count{mode="push"} 9');
  });
});
