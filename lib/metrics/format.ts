import type { Metric } from "prom-client";

/**
 * Metrics whose values Wharf computes at scrape time from the database (shared by every dashboard process), in
 * prom-client's metric shape, so one Registry renders them with the process's own metrics in the standard text
 * format.
 */
export interface SnapshotValue {
  labels?: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export function snapshotMetric(
  name: string,
  help: string,
  type: "gauge" | "counter" | "histogram",
  values: SnapshotValue[],
): Metric {
  const data = { name, help, type, values, aggregator: "sum" };
  // prom-client's Registry only calls `get()` and reads `name`; its MetricType is a TS enum of the same strings.
  return { name, help, type, aggregator: "sum", get: () => Promise.resolve(data) } as unknown as Metric;
}

/**
 * The values of a Prometheus histogram built from bucket counts that Wharf already aggregated (the delivery
 * rollups): cumulative `_bucket{le}` including `+Inf`, `_sum` and `_count`, per label set.
 */
export function histogramValues(
  name: string,
  series: {
    labels: Record<string, string>;
    bucketsUpperSeconds: readonly number[];
    counts: readonly number[];
    sumSeconds: number;
  }[],
): SnapshotValue[] {
  const out: SnapshotValue[] = [];
  for (const s of series) {
    let cumulative = 0;
    s.bucketsUpperSeconds.forEach((le, i) => {
      cumulative += s.counts[i] ?? 0;
      out.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
    });
    const total = s.counts.reduce((a, c) => a + c, 0);
    out.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: "+Inf" }, value: total });
    out.push({ metricName: `${name}_sum`, labels: s.labels, value: s.sumSeconds });
    out.push({ metricName: `${name}_count`, labels: s.labels, value: total });
  }
  return out;
}
