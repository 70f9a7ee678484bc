import { Card, CardBody, CardHeader } from "@/components/ui/card";
import type { ApplicationHealthCounts } from "@/lib/applications/data/count-application-health";

type Tone = "green" | "amber" | "red";
const TONE_CLASS: Record<Tone, string> = {
  green: "text-emerald-700",
  amber: "text-amber-700",
  red: "text-red-700",
};

interface Count {
  label: string;
  value: number;
  /** Colour only when there are some: "0 degraded" is not news. */
  tone?: Tone;
}

function Counts({ title, counts, href }: { title: string; counts: Count[]; href: string }) {
  return (
    <div>
      <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">{title}</h3>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {counts.map((c) => (
          <li key={c.label}>
            <a href={href} className="rounded hover:bg-slate-50 hover:underline">
              <span
                className={`font-semibold tabular-nums ${c.value > 0 && c.tone ? TONE_CLASS[c.tone] : "text-slate-900"}`}
              >
                {c.value}
              </span>{" "}
              <span className="text-slate-600">{c.label}</span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The Overview's application figures (issue 15, Must 6), side by side per mode: pull applications by the health and
 * sync state their agents report, push ones by their newest deployment, because Wharf only knows a push
 * application's cluster through its deployments. Zero-count buckets that are not news are left out, so a fleet with
 * nothing wrong reads in a line.
 */
export function ApplicationCounts({ counts }: { counts: ApplicationHealthCounts }) {
  const { pull, push } = counts;
  const h = pull.health;
  const nonZero = (list: Count[], always: string[]) => list.filter((c) => c.value > 0 || always.includes(c.label));
  return (
    <Card>
      <CardHeader
        title="Applications"
        description="What runs where, and whether it is healthy."
        actions={
          <>
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- InAppLinks (the dashboard layout) navigates it in the app */}
            <a className="text-sm text-brand-600 underline" href="/applications">
              All {counts.total} applications
            </a>
            <a className="text-sm text-brand-600 underline" href="/environments">
              Environments matrix
            </a>
          </>
        }
      />
      <CardBody className="grid gap-4 md:grid-cols-2">
        <div className="space-y-3" data-testid="overview-applications-pull">
          <p className="text-sm font-semibold text-slate-700">
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- InAppLinks (the dashboard layout) navigates it in the app */}
            <a href="/applications" className="hover:underline">
              {pull.total} pull
            </a>
          </p>
          <Counts
            title="Health"
            href="/applications"
            counts={nonZero(
              [
                { label: "healthy", value: h.Healthy, tone: "green" },
                { label: "progressing", value: h.Progressing, tone: "amber" },
                { label: "degraded", value: h.Degraded, tone: "red" },
                { label: "suspended", value: h.Suspended },
                { label: "missing", value: h.Missing, tone: "red" },
                { label: "unknown", value: h.Unknown, tone: "amber" },
                { label: "not reported", value: h.notReported },
              ],
              ["healthy", "degraded"],
            )}
          />
          <Counts
            title="Sync"
            href="/environments"
            counts={nonZero(
              [
                { label: "in sync", value: pull.sync.inSync, tone: "green" },
                { label: "out of sync", value: pull.sync.outOfSync, tone: "amber" },
                { label: "sync failed", value: pull.sync.failed, tone: "red" },
                { label: "not reported", value: pull.sync.notReported },
              ],
              ["in sync", "out of sync"],
            )}
          />
        </div>
        <div className="space-y-3" data-testid="overview-applications-push">
          <p className="text-sm font-semibold text-slate-700">
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- InAppLinks (the dashboard layout) navigates it in the app */}
            <a href="/applications" className="hover:underline">
              {push.total} push
            </a>
          </p>
          <Counts
            title="Last deployment"
            href="/environments"
            counts={nonZero(
              [
                { label: "succeeded", value: push.lastDeployment.succeeded, tone: "green" },
                { label: "failed", value: push.lastDeployment.failed, tone: "red" },
                { label: "awaiting approval", value: push.lastDeployment.awaitingApproval, tone: "amber" },
                { label: "in progress", value: push.lastDeployment.inProgress },
                { label: "rejected or cancelled", value: push.lastDeployment.ended },
                { label: "never deployed", value: push.lastDeployment.never },
              ],
              ["succeeded", "failed", "awaiting approval", "never deployed"],
            )}
          />
          <p className="text-xs text-slate-500">
            Wharf does not read push clusters for health (that read needs the target&apos;s credential); a push
            application is known by what its deployments applied.
          </p>
        </div>
      </CardBody>
    </Card>
  );
}
