import { ComparisonView } from "@/components/compare/comparison-view";
import { RangeControls } from "@/components/compare/range-controls";
import { AwaitingApprovalCard } from "@/components/deployments/awaiting-approval-card";
import { PageHeader } from "@/components/layout/page-header";
import { ApplicationCounts } from "@/components/overview/application-counts";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { countApplicationHealth } from "@/lib/applications/data/count-application-health";
import { listAuditEvents } from "@/lib/audit/data/list-audit-events";
import { auditActionPhrase, auditActorPhrase } from "@/lib/audit/phrases";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange } from "@/lib/compare/range";
import { countCredentialsByStatus } from "@/lib/credentials/data/list-credentials";
import { listAwaitingMyApproval } from "@/lib/deployments/data/list-awaiting-approval";
import { countTargetsByMode } from "@/lib/targets/data/count-targets-by-mode";
import { firstValues, type PageSearchParams } from "@/lib/utils";

export const dynamic = "force-dynamic";

/** A count linking to its rows; `definition` says in one sentence what is counted (the tooltip), as the comparison's figures do. */
function Figure({
  label,
  value,
  href,
  tone,
  definition,
}: {
  label: string;
  value: number;
  href: string;
  tone?: "red" | "yellow";
  definition: string;
}) {
  const color =
    value > 0 && tone === "red" ? "text-red-700" : value > 0 && tone === "yellow" ? "text-amber-700" : "text-slate-900";
  // A plain link, as every link of the Overview (see comparison-view.tsx's Figure): InAppLinks navigates it in the app.
  return (
    <a
      href={href}
      className="block rounded-md px-3 py-2 hover:bg-slate-50"
      title={`${definition} Opens the rows behind it.`}
    >
      <p className={`text-3xl font-semibold tabular-nums ${color}`}>{value}</p>
      <p className="text-sm text-slate-600">{label}</p>
    </a>
  );
}

type SearchParams = Promise<PageSearchParams>;

export default async function OverviewPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePrincipal();
  const showAudit = can(principal.role, "audit.read");
  const canApprove = can(principal.role, "deployments.approve");
  const range = resolveRange(firstValues(await searchParams));
  const [targets, applications, filteredCredentials, recent, awaiting, comparison] = await Promise.all([
    countTargetsByMode(),
    countApplicationHealth(),
    // Without an environment filter the comparison already computed every active credential's status.
    range.environment ? countCredentialsByStatus() : Promise.resolve(null),
    showAudit ? listAuditEvents({ limit: 8 }) : Promise.resolve(null),
    canApprove ? listAwaitingMyApproval(principal) : Promise.resolve(null),
    getComparison({ range }),
  ]);
  const credentials = filteredCredentials ?? comparison.exposure.push.status;
  const attention = credentials.overdue + credentials.expired + credentials.rotationFailed;

  return (
    <>
      <PageHeader
        title="Overview"
        description="Push and pull delivery side by side: what Wharf holds, and what needs attention."
      />
      {awaiting ? (
        <div className="mb-6">
          <AwaitingApprovalCard items={awaiting} />
        </div>
      ) : null}
      <div className="mb-6">
        <ApplicationCounts counts={applications} />
      </div>
      <section aria-labelledby="comparison-heading" className="mb-6 space-y-4">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="comparison-heading" className="text-lg font-semibold text-slate-900">
            Push vs pull
          </h2>
        </div>
        <RangeControls comparison={comparison} />
        <ComparisonView comparison={comparison} canCheckScope={can(principal.role, "credentials.replace")} />
      </section>
      <div className="grid gap-6 md:grid-cols-2">
        <Card>
          <CardHeader
            title="Targets"
            description="Push targets are applied by Wharf with a stored credential; pull targets sync themselves."
          />
          <CardBody className="grid grid-cols-2 gap-2">
            <Figure
              label="push targets"
              value={targets.push}
              href="/targets?mode=push"
              definition="Targets Wharf deploys to itself, applying manifests with a cluster credential it stores."
            />
            <Figure
              label="pull targets"
              value={targets.pull}
              href="/targets?mode=pull"
              definition="Targets whose in-cluster agent syncs from Git and reports back; Wharf holds no cluster credential for them."
            />
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Credential rotation"
            description="Cluster credentials held outside clusters, against their policies; each counts once, under its most urgent status."
            actions={
              attention > 0 ? (
                <Badge tone="red">{attention} need attention</Badge>
              ) : (
                <Badge tone="green">all in policy</Badge>
              )
            }
          />
          <CardBody className="grid grid-cols-5 gap-2">
            <Figure
              label="ok"
              value={credentials.ok}
              href="/credentials?status=ok"
              definition="Credentials within their policy's maximum age and their expiry, and not yet in the warning window before either."
            />
            <Figure
              label="due soon"
              value={credentials.dueSoon}
              href="/credentials?status=due-soon"
              tone="yellow"
              definition="Credentials inside the warning window before their policy's maximum age or their expiry."
            />
            <Figure
              label="rotation failed"
              value={credentials.rotationFailed}
              href="/rotation?status=rotation-failed"
              tone="red"
              definition="Credentials whose last automatic rotation failed and has not succeeded since (unless already overdue or expired)."
            />
            <Figure
              label="overdue"
              value={credentials.overdue}
              href="/credentials?status=overdue"
              tone="red"
              definition="Credentials older than their policy's maximum age, counted from when they were stored or last rotated."
            />
            <Figure
              label="expired"
              value={credentials.expired}
              href="/credentials?status=expired"
              tone="red"
              definition="Credentials past their expiry (a token's or certificate's end of validity): the cluster no longer accepts them."
            />
          </CardBody>
        </Card>
      </div>
      {recent ? (
        <Card className="mt-6">
          <CardHeader
            title="Recent activity"
            actions={
              <a className="text-sm text-brand-600 underline" href="/audit">
                Audit trail
              </a>
            }
          />
          <CardBody className="p-0">
            {recent.items.length === 0 ? (
              <p className="px-5 py-6 text-sm text-slate-500">Nothing has happened yet.</p>
            ) : (
              <ul className="divide-y divide-slate-100">
                {recent.items.map((e) => (
                  <li key={e.id} className="flex items-center gap-3 px-5 py-2 text-sm">
                    <span className="w-48 shrink-0 tabular-nums text-slate-500">
                      <DateTime value={e.at} />
                    </span>
                    {/* In words; the code stays on hover and in the audit trail, where it is filtered on. */}
                    <span className="text-slate-800" title={e.action}>
                      {auditActionPhrase(e.action)}
                    </span>
                    <span className="truncate text-slate-600">by {auditActorPhrase(e.actorKind, e.actorName)}</span>
                    {e.outcome !== "success" ? <Badge tone="red">{e.outcome}</Badge> : null}
                  </li>
                ))}
              </ul>
            )}
          </CardBody>
        </Card>
      ) : null}
    </>
  );
}
