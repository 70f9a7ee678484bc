import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { formatDuration } from "@/lib/format/duration";
import { rateOf } from "@/lib/format/rate";
import type { Comparison } from "@/lib/compare/data/get-comparison";
import type { ModeDelivery, TMode } from "@/lib/compare/figures";
import { deliveryFigureHref, type FigureScope, type TDeliveryFigure } from "@/lib/compare/links";
import { CredentialAgeBars, DailyDeliveries, DurationDistribution } from "./charts";
import { ScopeCheckButton } from "./scope-check-button";

function href(path: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

const TONE_CLASS = { red: "text-red-700", amber: "text-amber-700", green: "text-emerald-700" } as const;

/**
 * A figure linking to its rows; without a link (it counts no rows) it is plain text.
 * `definition` says in a sentence what is counted (the tooltip), so a figure can be read without the docs.
 */
function Figure({
  label,
  value,
  hint,
  link,
  tone,
  definition,
}: {
  label: string;
  value: string;
  hint?: string;
  link: string | null;
  tone?: "red" | "amber" | "green" | undefined;
  definition?: string;
}) {
  const body = (
    <>
      <p className={`text-xl font-semibold tabular-nums ${tone ? TONE_CLASS[tone] : "text-slate-900"}`}>{value}</p>
      <p className="text-xs text-slate-600">{label}</p>
      {hint ? <p className="text-[11px] text-slate-500">{hint}</p> : null}
    </>
  );
  if (!link)
    return (
      <div className="rounded-md px-2 py-1.5" title={definition}>
        {body}
      </div>
    );
  // A plain link, like every link of the comparison: the dashboard's InAppLinks navigates it in the app, with no client
  // component per link to hydrate. Nor is it prefetched: a figure's rows are opened now and then, not next, and a
  // prefetch of a dynamic page without a loading state fetches only layouts, a server render each while this hydrates.
  return (
    <a
      href={link}
      className="block rounded-md px-2 py-1.5 hover:bg-slate-50"
      title={definition ? `${definition} Opens the rows behind it.` : `${label}: the rows behind this figure`}
    >
      {body}
    </a>
  );
}

type PairPart = { value: number; link: string | null; name: string };

/** Two counts in one figure ("1 / 2"), each linking to its own rows. */
function PairFigure(props: {
  label: string;
  hint: string;
  definition: string;
  /** A part without a link (it counts no rows: push drift corrected, always 0) is plain text. */
  parts: [PairPart, PairPart];
  tone?: "amber" | undefined;
}) {
  const { label, hint, definition, parts, tone } = props;
  const part = (p: PairPart) =>
    p.link ? (
      <a
        href={p.link}
        className="rounded hover:bg-slate-50 hover:underline"
        title={`${p.name}: the rows behind this count`}
      >
        {p.value}
      </a>
    ) : (
      <span>{p.value}</span>
    );
  return (
    <div className="rounded-md px-2 py-1.5" title={definition}>
      <p className={`text-xl font-semibold tabular-nums ${tone ? TONE_CLASS[tone] : "text-slate-900"}`}>
        {part(parts[0])}
        {" / "}
        {part(parts[1])}
      </p>
      <p className="text-xs text-slate-600">{label}</p>
      <p className="text-[11px] text-slate-500">{hint}</p>
    </div>
  );
}

const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0)} %`);

type Scope = FigureScope;

function DeliveryBlock({ mode, d, scope }: { mode: TMode; d: ModeDelivery; scope: Scope }) {
  const link = (figure: TDeliveryFigure) => deliveryFigureHref(mode, figure, scope);
  const noun = mode === "push" ? "deployments" : "syncs";
  // "0.2 syncs per week" rather than "0.03 syncs per day": the unit follows the rate.
  const rate = rateOf(d.deploymentsPerDay);
  return (
    <div className="space-y-3">
      <h3 className="text-sm font-semibold text-slate-700">Delivery</h3>
      <div className="grid grid-cols-2 gap-1 sm:grid-cols-3">
        <Figure
          label={`${noun} per ${rate.unit}`}
          value={rate.value}
          hint={`${d.deployments} in range`}
          link={link("deliveries")}
          definition={
            mode === "push"
              ? `Deployments that finished (succeeded or failed) in the range, per ${rate.unit}.`
              : `Syncs that applied a revision or failed in the range, per ${rate.unit}.`
          }
        />
        <Figure
          label="change failure rate"
          value={pct(d.changeFailureRate)}
          hint={`${d.failures} failed`}
          link={link("failures")}
          definition={`Failed ${noun} out of all ${noun} in the range.`}
          tone={
            d.changeFailureRate === null
              ? undefined
              : d.changeFailureRate > 0.15
                ? "red"
                : d.changeFailureRate > 0
                  ? "amber"
                  : "green"
          }
        />
        <Figure
          label="lead time p50 / p90"
          value={`${formatDuration(d.leadTime.p50Ms)} / ${formatDuration(d.leadTime.p90Ms)}`}
          hint={`commit → ${mode === "push" ? "live" : "synced"}, ${d.leadTime.count} measured`}
          link={link("lead-time")}
          definition={
            mode === "push"
              ? "From the Git commit (or the request, for pasted manifests) to the deployment succeeding; median and 90th percentile."
              : "From the commit to the agent applying it, for commits made after the repository was registered (its first sync of an older commit is not measured); median and 90th percentile."
          }
        />
        <Figure
          label="time to restore (mean)"
          value={formatDuration(d.restore.meanMs)}
          hint={`${d.restore.count} recoveries`}
          link={link("restore")}
          definition={`From the first failure of a run to the next success on the same ${mode === "push" ? "target" : "repository"}, averaged.`}
        />
        <Figure
          label="approval wait p50 / p90"
          value={`${formatDuration(d.approvalWait.p50Ms)} / ${formatDuration(d.approvalWait.p90Ms)}`}
          hint={`${d.approvalWait.count} approved by people`}
          link={link("approval-wait")}
          definition="From the request to its approval, for deployments that waited for people (targets without required approvals are left out)."
        />
        {mode === "push" ? (
          <PairFigure
            label="drift detected / corrected"
            hint="status reads compare cluster to last deployment"
            definition="Detected: drifts Wharf's status reads (with the target's credential, while someone looks or at the target's interval) found between the cluster and the application's last deployment, once per change of the drifted fields, as the agent counts pull drift; the count opens them with their fields, values and managers. Corrected: always 0, push has no self-heal; a deployment that overwrites a drift counts as a deployment, as a pull sync of a new revision over a drift counts as a sync."
            parts={[
              { value: d.driftDetected, link: link("drift-detected"), name: "drift detected" },
              { value: d.driftCorrected, link: link("drift-corrected"), name: "drift corrected" },
            ]}
            tone={d.driftDetected > 0 ? "amber" : undefined}
          />
        ) : (
          <PairFigure
            label="drift detected / corrected"
            hint="agent compares cluster to Git"
            definition="Detected: drifts the agent found between the cluster and Git, including those it corrected at once (self-heal). Corrected: drifts it reverted to Git."
            parts={[
              { value: d.driftDetected, link: link("drift-detected") ?? "/sync", name: "drift detected" },
              { value: d.driftCorrected, link: link("drift-corrected") ?? "/sync", name: "drift corrected" },
            ]}
            tone={d.driftDetected > 0 ? "amber" : undefined}
          />
        )}
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <p className="mb-1 text-xs font-medium text-slate-600">{noun} per day</p>
          <DailyDeliveries
            series={d.series}
            mode={mode}
            scope={scope}
            noun={noun}
            label={`${mode} ${noun} and failures per day`}
            testId={`compare-daily-${mode}`}
          />
        </div>
        <div>
          <p className="mb-1 text-xs font-medium text-slate-600">lead time distribution</p>
          <DurationDistribution
            buckets={d.leadTime.buckets}
            mode={mode}
            scope={scope}
            noun={mode === "push" ? "deployments" : "syncs"}
            label={`${mode} lead time`}
            p50={d.leadTime.p50Ms}
            p90={d.leadTime.p90Ms}
          />
        </div>
      </div>
    </div>
  );
}

function PushExposureBlock({ c, scope, canCheckScope }: { c: Comparison; scope: Scope; canCheckScope: boolean }) {
  const e = c.exposure.push;
  const range = { from: scope.from, to: scope.to };
  const attention = e.status.overdue + e.status.expired;
  const denied = e.denied.auth + e.denied.credential + e.denied.agent;
  return (
    <div className="space-y-3">
      <h3 className="text-sm font-semibold text-slate-700">Exposure</h3>
      <div className="grid grid-cols-2 gap-1 sm:grid-cols-3">
        <Figure
          label="cluster credentials held by Wharf"
          value={String(e.credentials)}
          hint={e.byKind.map((k) => `${k.count} ${k.kind}`).join(", ") || "none"}
          link={href("/credentials", { targetId: scope.targetId })}
        />
        <Figure
          label="cluster-admin equivalent"
          value={String(e.clusterAdmin)}
          hint={
            [
              e.scopeUnchecked > 0 && `${e.scopeUnchecked} not checked yet`,
              e.scopeCheckFailed > 0 && `${e.scopeCheckFailed} unchecked: cluster unreachable`,
            ]
              .filter(Boolean)
              .join(", ") || "checked after each change and periodically"
          }
          link={href("/credentials", { targetId: scope.targetId })}
          tone={e.clusterAdmin > 0 ? "red" : e.scopeCheckFailed > 0 ? "amber" : undefined}
        />
        <Figure
          label="overdue / expired"
          value={`${e.status.overdue} / ${e.status.expired}`}
          hint={`${e.status.dueSoon} due soon, ${e.status.rotationFailed} rotation failed`}
          link={href("/credentials", {
            status: e.status.expired > 0 && e.status.overdue === 0 ? "expired" : "overdue",
            targetId: scope.targetId,
          })}
          tone={attention > 0 ? "red" : "green"}
        />
        <Figure
          label="decrypts in range"
          value={String(e.decrypts)}
          hint="plaintext in a dashboard process"
          link={href("/credentials/access", { action: "credential.decrypted", targetId: scope.targetId, ...range })}
        />
        <Figure
          label="credential uses to observe the cluster"
          value={String(e.statusReads)}
          hint="live-state reads while someone looks or on the target's interval"
          link={href("/credentials/access", { action: "credential.decrypted", targetId: scope.targetId, ...range })}
        />
        <Figure
          label="denied attempts"
          value={String(denied)}
          hint={`${e.denied.auth} permission, ${e.denied.credential} credential, ${e.denied.agent} agent`}
          link={href("/audit", { outcome: "denied", ...range })}
          tone={denied > 0 ? "amber" : undefined}
        />
      </div>
      {canCheckScope ? <ScopeCheckButton credentialIds={e.uncheckedIds} lastError={e.scopeCheckError} /> : null}
      <div>
        <p className="mb-1 text-xs font-medium text-slate-600">credential age (days since stored or rotated)</p>
        <CredentialAgeBars
          ages={e.ages}
          label="Push credential ages"
          noun="credentials"
          links={{
            href: href("/credentials", { targetId: scope.targetId }),
            beyondPolicyHref: href("/credentials", { status: "overdue", targetId: scope.targetId }),
          }}
        />
      </div>
    </div>
  );
}

function PullExposureBlock({ c, scope }: { c: Comparison; scope: Scope }) {
  const e = c.exposure.pull;
  return (
    <div className="space-y-3">
      <h3 className="text-sm font-semibold text-slate-700">Exposure</h3>
      <div className="grid grid-cols-2 gap-1 sm:grid-cols-3">
        <Figure
          label="cluster credentials held by Wharf"
          value="0"
          hint="the agent uses its in-cluster ServiceAccount"
          link={href("/targets", { mode: "pull" })}
          tone="green"
        />
        <Figure
          label="credential uses to observe the cluster"
          value={String(e.statusReads)}
          hint="the agent reports the live state it sees"
          link={href("/targets", { mode: "pull" })}
          tone="green"
        />
        <Figure
          label="agents"
          value={String(e.agents)}
          hint={`${e.online} online, ${e.stale} stale, ${e.agents - e.enrolled} not enrolled`}
          link={scope.targetId ? `/targets/${scope.targetId}` : href("/targets", { mode: "pull" })}
          tone={e.stale > 0 ? "amber" : undefined}
        />
      </div>
      <p className="rounded-md bg-emerald-50 px-3 py-2 text-xs text-emerald-900">
        An agent&apos;s credential (<code>wharfa_…</code>) reaches only Wharf&apos;s agent API for its own targets: it
        grants nothing on any cluster. A leaked Wharf database or dashboard host exposes no pull cluster.
      </p>
      <div>
        <p className="mb-1 text-xs font-medium text-slate-600">agent credential age (days since issued)</p>
        <CredentialAgeBars
          ages={e.credentialAges}
          label="Agent credential ages"
          noun="agent credentials"
          links={{
            href: scope.targetId
              ? `/targets/${scope.targetId}`
              : href("/targets", { mode: "pull", environment: scope.environment }),
          }}
        />
      </div>
    </div>
  );
}

const TITLES: Record<TMode, { title: string; description: string }> = {
  push: { title: "Push", description: "Wharf applies manifests with a cluster credential it stores." },
  pull: { title: "Pull", description: "An agent inside the cluster syncs from Git and reports back." },
};

/**
 * Push and pull side by side (or one mode, on a target's page): delivery figures from the rollups and exposure
 * figures, each linking to the rows it was computed from.
 */
export function ComparisonView({
  comparison,
  modes = ["push", "pull"],
  targetId,
  canCheckScope = false,
}: {
  comparison: Comparison;
  modes?: TMode[];
  targetId?: string;
  /** Whether the viewer may run the cluster-admin check (it decrypts credentials: `credentials.replace`). */
  canCheckScope?: boolean;
}) {
  // Exact instants (the range's first midnight and the exclusive end), so list pages filter the same rows.
  const scope: Scope = {
    from: comparison.range.from,
    to: comparison.range.to,
    environment: comparison.range.environment,
    targetId,
  };
  return (
    <div className={modes.length > 1 ? "grid gap-6 lg:grid-cols-2" : "grid gap-6"} data-testid="comparison">
      {modes.map((mode) => (
        <Card key={mode}>
          <CardHeader
            title={TITLES[mode].title}
            description={TITLES[mode].description}
            actions={
              targetId ? null : (
                <a
                  href={href("/targets", { mode, environment: comparison.range.environment })}
                  className="text-sm text-brand-700 hover:underline"
                >
                  <Badge tone="neutral">{comparison.targets[mode]} targets</Badge>
                </a>
              )
            }
          />
          <CardBody className="space-y-6">
            <DeliveryBlock mode={mode} d={comparison.delivery[mode]} scope={scope} />
            {mode === "push" ? (
              <PushExposureBlock c={comparison} scope={scope} canCheckScope={canCheckScope} />
            ) : (
              <PullExposureBlock c={comparison} scope={scope} />
            )}
          </CardBody>
        </Card>
      ))}
    </div>
  );
}
