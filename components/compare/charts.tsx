import { bucketLabel, formatDuration } from "@/lib/compare/buckets";
import type { AgeBars, DayPoint } from "@/lib/compare/figures";

const W = 360;
const H = 130;
const PAD = { top: 8, right: 6, bottom: 20, left: 26 };
const innerW = W - PAD.left - PAD.right;
const innerH = H - PAD.top - PAD.bottom;

function Axis({ max, y }: { max: number; y: (v: number) => number }) {
  return (
    <>
      <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="stroke-slate-300" />
      <text x={PAD.left - 4} y={y(max) + 4} textAnchor="end" className="fill-slate-500 text-[9px]">
        {max}
      </text>
      <text x={PAD.left - 4} y={y(0)} textAnchor="end" className="fill-slate-500 text-[9px]">
        0
      </text>
    </>
  );
}

/** Deliveries per day, successes and failures stacked; inline SVG with a screen-reader table. */
export function DailyDeliveries({ series, label, testId }: { series: DayPoint[]; label: string; testId?: string }) {
  const max = Math.max(1, ...series.map((d) => d.deployments));
  const slot = innerW / Math.max(1, series.length);
  const bar = Math.max(1.5, slot * 0.7);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const tickEvery = Math.ceil(series.length / 6);
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto max-h-48 w-full" role="img" aria-label={label} data-testid={testId}>
        <title>{label}</title>
        <Axis max={max} y={y} />
        {series.map((d, i) => {
          const x = PAD.left + i * slot + (slot - bar) / 2;
          const ok = d.deployments - d.failures;
          return (
            <g key={d.day}>
              <title>{`${d.day}: ${d.deployments} deliveries, ${d.failures} failed`}</title>
              {ok > 0 ? <rect x={x} y={y(ok)} width={bar} height={y(0) - y(ok)} className="fill-emerald-500" /> : null}
              {d.failures > 0 ? <rect x={x} y={y(d.deployments)} width={bar} height={y(ok) - y(d.deployments)} className="fill-red-500" /> : null}
              {i % tickEvery === 0 ? (
                <text x={x + bar / 2} y={H - 6} textAnchor="middle" className="fill-slate-500 text-[9px]">
                  {d.day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <table className="sr-only">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th>Day</th>
            <th>Deliveries</th>
            <th>Failed</th>
          </tr>
        </thead>
        <tbody>
          {series.map((d) => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td>{d.deployments}</td>
              <td>{d.failures}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** A duration distribution over the fixed buckets, trimmed to the buckets in use, with p50/p90 in the caption. */
export function DurationDistribution({ buckets, label, p50, p90 }: { buckets: number[]; label: string; p50: number | null; p90: number | null }) {
  const used = buckets.map((c, i) => ({ c, i })).filter((b) => b.c > 0);
  if (used.length === 0) return <p className="text-xs text-slate-500">No measurements in this range.</p>;
  const first = Math.max(0, (used[0]?.i ?? 0) - 1);
  const last = Math.min(buckets.length - 1, (used[used.length - 1]?.i ?? 0) + 1);
  const shown = buckets.slice(first, last + 1).map((c, k) => ({ count: c, bucket: first + k }));
  const max = Math.max(1, ...shown.map((s) => s.count));
  const slot = innerW / shown.length;
  const bar = Math.max(2, slot * 0.75);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const caption = `${label}: p50 ${formatDuration(p50)}, p90 ${formatDuration(p90)}`;
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto max-h-48 w-full" role="img" aria-label={caption}>
        <title>{caption}</title>
        <Axis max={max} y={y} />
        {shown.map((s, k) => {
          const x = PAD.left + k * slot + (slot - bar) / 2;
          return (
            <g key={s.bucket}>
              <title>{`${bucketLabel(s.bucket)}: ${s.count}`}</title>
              {s.count > 0 ? <rect x={x} y={y(s.count)} width={bar} height={y(0) - y(s.count)} className="fill-sky-500" /> : null}
              <text x={x + bar / 2} y={H - 6} textAnchor="middle" className="fill-slate-500 text-[8px]">
                {bucketLabel(s.bucket).replace("≤ ", "")}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="sr-only">
        <caption>{caption}</caption>
        <tbody>
          {shown.map((s) => (
            <tr key={s.bucket}>
              <td>{bucketLabel(s.bucket)}</td>
              <td>{s.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** Credential ages as bars, with the policy's maximum age drawn as a dashed line between the bars it separates. */
export function CredentialAgeBars({ ages, label }: { ages: AgeBars; label: string }) {
  const total = ages.bars.reduce((a, b) => a + b.count, 0);
  if (total === 0) return <p className="text-xs text-slate-500">No credentials.</p>;
  const max = Math.max(1, ...ages.bars.map((b) => b.count));
  const slot = innerW / ages.bars.length;
  const bar = Math.max(2, slot * 0.75);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  // Position of the policy line: linear inside the bar whose range holds the max age.
  let policyX: number | null = null;
  if (ages.policyMaxAgeDays !== null) {
    const i = ages.bars.findIndex((b) => b.upperDays !== null && ages.policyMaxAgeDays! <= b.upperDays);
    const index = i === -1 ? ages.bars.length - 1 : i;
    const upper = ages.bars[index]?.upperDays ?? ages.policyMaxAgeDays;
    const lower = index === 0 ? 0 : (ages.bars[index - 1]?.upperDays ?? 0);
    const frac = upper > lower ? (ages.policyMaxAgeDays - lower) / (upper - lower) : 1;
    policyX = PAD.left + (index + frac) * slot;
  }
  const caption = `${label}${ages.policyMaxAgeDays !== null ? ` (policy: ${ages.policyMaxAgeDays} days)` : ""}`;
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto max-h-48 w-full" role="img" aria-label={caption}>
        <title>{caption}</title>
        <Axis max={max} y={y} />
        {ages.bars.map((b, i) => {
          const x = PAD.left + i * slot + (slot - bar) / 2;
          const over = ages.policyMaxAgeDays !== null && (b.upperDays === null || b.upperDays > ages.policyMaxAgeDays);
          return (
            <g key={b.label}>
              <title>{`${b.label}: ${b.count}`}</title>
              {b.count > 0 ? <rect x={x} y={y(b.count)} width={bar} height={y(0) - y(b.count)} className={over ? "fill-amber-500" : "fill-slate-500"} /> : null}
              <text x={x + bar / 2} y={H - 6} textAnchor="middle" className="fill-slate-500 text-[8px]">
                {b.label.replace(" d", "")}
              </text>
            </g>
          );
        })}
        {policyX !== null ? (
          <g>
            <line x1={policyX} x2={policyX} y1={PAD.top} y2={y(0)} className="stroke-red-600" strokeDasharray="3 2" />
            <text x={policyX + 2} y={PAD.top + 8} className="fill-red-700 text-[9px]">
              policy {ages.policyMaxAgeDays} d
            </text>
          </g>
        ) : null}
      </svg>
      <table className="sr-only">
        <caption>{caption}</caption>
        <tbody>
          {ages.bars.map((b) => (
            <tr key={b.label}>
              <td>{b.label}</td>
              <td>{b.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
