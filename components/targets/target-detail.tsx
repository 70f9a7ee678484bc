"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { PageHeader } from "@/components/layout/page-header";
import { useTarget } from "@/lib/targets/hooks/use-target";
import { describeApprovalRule } from "@/lib/targets/schemas";
import { RepoBindingsPanel } from "@/components/deployments/repo-bindings-panel";
import { PullTargetPanel } from "@/components/pull/pull-target-panel";
import { DeleteTargetButton } from "./delete-target-button";
import { TargetModeBadge } from "./target-mode-badge";

/** Header and settings of one target; admin controls are not rendered at all for other roles. */
export function TargetDetail({
  id,
  canManage,
  canDeploy = false,
  canRegister = false,
}: {
  id: string;
  canManage: boolean;
  canDeploy?: boolean;
  canRegister?: boolean;
}) {
  const { data: target, error } = useTarget(id);
  if (error) {
    return (
      <p role="alert" className="text-sm text-red-700">
        Could not load the target: {error.message}
      </p>
    );
  }
  if (!target) return <p className="text-sm text-slate-500">Loading…</p>;
  return (
    <>
      <PageHeader
        title={target.name}
        description={
          <span className="inline-flex items-center gap-2">
            <TargetModeBadge mode={target.mode} /> {target.environment}
            {target.ownerTeam ? <> · owned by {target.ownerTeam}</> : null}
          </span>
        }
        actions={
          canManage || (canDeploy && target.mode === "push") ? (
            <>
              {canDeploy && target.mode === "push" ? (
                <>
                  <Button asChild>
                    <Link href={`/targets/${target.id}/deploy`}>New deployment</Link>
                  </Button>
                  <Button asChild variant="secondary">
                    <Link href={`/deployments?targetId=${target.id}`}>Deployments</Link>
                  </Button>
                </>
              ) : null}
              {canManage ? (
                <>
                  <Button asChild variant="secondary">
                    <Link href={`/targets/${target.id}/edit`}>Edit</Link>
                  </Button>
                  <DeleteTargetButton id={target.id} name={target.name} />
                </>
              ) : null}
            </>
          ) : undefined
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Cluster" />
          <CardBody>
            <dl className="space-y-3 text-sm">
              <Row label="API server">
                <span className="font-mono break-all">{target.serverUrl}</span>
              </Row>
              <Row label="TLS">
                {target.insecureSkipTlsVerify ? (
                  <span className="text-red-700">Verification skipped (insecure)</span>
                ) : target.caBundle ? (
                  "Verified against the CA bundle below"
                ) : (
                  "Verified against the system trust store"
                )}
              </Row>
              {target.caBundle ? (
                <Row label="CA bundle">
                  <pre tabIndex={0} className="max-h-40 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs">
                    {target.caBundle}
                  </pre>
                </Row>
              ) : null}
            </dl>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Rules" />
          <CardBody>
            <dl className="space-y-3 text-sm">
              <Row label="Approval rule">{describeApprovalRule(target)}</Row>
              <Row label="Default namespace">
                <span className="font-mono">{target.defaultNamespace}</span>
              </Row>
              <Row label="Allowed namespaces">
                {target.allowedNamespaces.length ? (
                  <span className="font-mono">{target.allowedNamespaces.join(", ")}</span>
                ) : (
                  "Only the default namespace"
                )}
              </Row>
              <Row label="Cluster-scoped objects">{target.allowClusterScoped ? "Allowed" : "Not allowed"}</Row>
              {target.mode === "push" ? (
                <Row label="Live-state reads">
                  {target.statusReadIntervalSeconds === null
                    ? "Only while someone looks at an application (each read uses the credential)"
                    : `Every ${target.statusReadIntervalSeconds} s in the background, and while someone looks (each read uses the credential)`}
                </Row>
              ) : null}
              <Row label="Credential policy">
                {target.credentialPolicy?.name ?? "None set (the environment's policy applies, if any)"}
              </Row>
              <Row label="Created">
                <DateTime value={target.createdAt} precision="minute" />
              </Row>
              <Row label="Last changed">
                <DateTime value={target.updatedAt} precision="minute" />
              </Row>
            </dl>
          </CardBody>
        </Card>
      </div>
      {target.mode === "push" ? (
        <div className="mt-6">
          <RepoBindingsPanel targetId={target.id} canManage={canManage} />
        </div>
      ) : (
        <PullTargetPanel targetId={target.id} canRegister={canRegister} canManage={canManage} />
      )}
    </>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-2">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 text-slate-800">{children}</dd>
    </div>
  );
}
