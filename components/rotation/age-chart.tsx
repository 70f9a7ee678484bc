import { formatDays, formatDuration } from "@/lib/format/duration";
import type { RotationOverviewItem } from "@/lib/rotation/schemas";

const DAY_MS = 86_400_000;
const LABEL_W = 170;
const PLOT_W = 560;
const VALUE_W = 130;
const ROW_H = 26;
const TOP = 24;

const BAR_COLOR: Record<string, string> = {
  ok: "#10b981",
  "due-soon": "#f59e0b",
  "rotation-failed": "#dc2626",
  overdue: "#dc2626",
  expired: "#7f1d1d",
};

function days(ms: number): number {
  return ms / DAY_MS;
}

/**
 * Credential ages against their policy limits: one horizontal bar per credential (its age, coloured by status) and,
 * where a policy applies, a vertical mark at the policy's max age. Inline SVG, no chart library; described for screen
 * readers by its label and by the table under "Show as table".
 */
export function AgeChart({ items }: { items: RotationOverviewItem[] }) {
  if (items.length === 0) return null;
  const scaleMax = Math.max(1, ...items.map((i) => Math.max(days(i.ageMs), i.policyMaxAgeDays ?? 0))) * 1.08;
  const x = (d: number) => LABEL_W + (Math.min(d, scaleMax) / scaleMax) * PLOT_W;
  const height = TOP + items.length * ROW_H + 8;
  const over = items.filter((i) => i.policyMaxAgeDays !== null && days(i.ageMs) >= i.policyMaxAgeDays).length;
  const label = `Credential ages against their policy limits: ${items.length} credential${items.length === 1 ? "" : "s"} shown, ${over} past the policy's maximum age.`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * scaleMax);

  return (
    <figure className="space-y-2">
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${LABEL_W + PLOT_W + VALUE_W} ${height}`}
        className="w-full"
        data-testid="age-chart"
      >
        {ticks.map((d) => (
          <g key={d}>
            <line x1={x(d)} x2={x(d)} y1={TOP - 6} y2={height - 8} stroke="#e2e8f0" />
            <text x={x(d)} y={TOP - 10} fontSize="10" textAnchor="middle" fill="#64748b">
              {d === 0 ? "0" : formatDuration(d * DAY_MS)}
            </text>
          </g>
        ))}
        {items.map((item, row) => {
          const y = TOP + row * ROW_H;
          const age = days(item.ageMs);
          return (
            <g key={item.id} data-testid="age-chart-row">
              <text x={LABEL_W - 8} y={y + ROW_H / 2 + 4} fontSize="12" textAnchor="end" fill="#1e293b">
                {item.targetName.length > 24 ? `${item.targetName.slice(0, 23)}…` : item.targetName}
              </text>
              <rect
                x={LABEL_W}
                y={y + 5}
                width={Math.max(1, x(age) - LABEL_W)}
                height={ROW_H - 10}
                rx="2"
                fill={BAR_COLOR[item.status ?? "ok"] ?? "#64748b"}
              />
              {item.policyMaxAgeDays !== null ? (
                <line
                  x1={x(item.policyMaxAgeDays)}
                  x2={x(item.policyMaxAgeDays)}
                  y1={y + 1}
                  y2={y + ROW_H - 1}
                  stroke="#0f172a"
                  strokeWidth="2"
                  strokeDasharray="3 2"
                />
              ) : null}
              <text x={LABEL_W + PLOT_W + 6} y={y + ROW_H / 2 + 4} fontSize="11" fill="#475569">
                {formatDuration(item.ageMs)}
                {item.policyMaxAgeDays !== null ? ` / ${formatDays(item.policyMaxAgeDays)}` : ""}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="flex flex-wrap items-center gap-4 text-xs text-slate-600">
        <span>Bar: age since last rotation, coloured by status.</span>
        <span className="inline-flex items-center gap-1">
          <svg width="14" height="12" aria-hidden="true">
            <line x1="7" x2="7" y1="0" y2="12" stroke="#0f172a" strokeWidth="2" strokeDasharray="3 2" />
          </svg>
          policy maximum age
        </span>
      </figcaption>
      <details className="text-sm">
        <summary className="cursor-pointer text-brand-700">Show as table</summary>
        <table className="mt-2 min-w-full text-left text-sm" aria-label="Credential ages against policy limits">
          <thead>
            <tr>
              <th scope="col" className="py-1 pr-4 font-medium">
                Target
              </th>
              <th scope="col" className="py-1 pr-4 font-medium">
                Age
              </th>
              <th scope="col" className="py-1 pr-4 font-medium">
                Policy maximum age
              </th>
              <th scope="col" className="py-1 font-medium">
                Status
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td className="py-1 pr-4">{item.targetName}</td>
                <td className="py-1 pr-4 tabular-nums">{formatDuration(item.ageMs)}</td>
                <td className="py-1 pr-4 tabular-nums">
                  {item.policyMaxAgeDays !== null ? formatDays(item.policyMaxAgeDays) : "no policy"}
                </td>
                <td className="py-1">{item.status ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
