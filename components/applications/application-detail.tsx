"use client";

import Link from "next/link";
import { useCallback, type ReactNode } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { TargetModeBadge } from "@/components/targets/target-mode-badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { useApplication } from "@/lib/applications/hooks/use-application";
import type { ApplicationView } from "@/lib/applications/schemas";
import { useTarget } from "@/lib/targets/hooks/use-target";
import { describeApprovalRule } from "@/lib/targets/schemas";
import { ApplicationSettingsCard } from "./application-settings-card";
import { ApplicationTimeline } from "./application-timeline";
import { DeleteApplicationButton } from "./delete-application-button";
import { DeployApplicationButton } from "./deploy-application-button";
import { LiveStateCard } from "./live-state-card";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 sm:grid-cols-3 sm:gap-4">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

/**
 * One application: its live state (health and resource tree), where it runs (target, environment, mode, approval
 * rule), its settings, and its timeline (deployments, approvals, syncs, drift, rollbacks). Deployers and admins deploy a
 * push application's Git source from here, roll back to an earlier revision, change its settings and delete it.
 */
export function ApplicationDetail({
  id,
  canManage,
  justCreated = false,
}: {
  id: string;
  canManage: boolean;
  /** Arrived from the new-application form: say what happens next, and put the focus there. */
  justCreated?: boolean;
}) {
  const { data: app, error } = useApplication(id);
  if (error) {
    return (
      <p role="alert" className="text-sm text-red-700">
        Could not load the application: {error.message}
      </p>
    );
  }
  if (!app) return <p className="text-sm text-slate-500">Loading…</p>;
  return <LoadedApplication app={app} canManage={canManage} justCreated={justCreated} />;
}

/** The announcement after creating: focused once, so keyboard and screen reader users land on the result. */
function CreatedNotice({ app }: { app: ApplicationView }) {
  const focus = useCallback((el: HTMLParagraphElement | null) => el?.focus(), []);
  return (
    <p
      ref={focus}
      tabIndex={-1}
      role="status"
      className="mb-4 rounded-md bg-green-50 px-3 py-2 text-sm text-green-800 outline-none"
    >
      {app.mode === "pull"
        ? `Created ${app.name}: its repository is registered and ${app.target.name}'s agent syncs it.`
        : app.source.kind === "git"
          ? `Created ${app.name}. Deploy requests a deployment of its newest commit.`
          : `Created ${app.name}. Request a deployment with its manifests from the target's New deployment page.`}
    </p>
  );
}

function LoadedApplication({
  app,
  canManage,
  justCreated,
}: {
  app: ApplicationView;
  canManage: boolean;
  justCreated: boolean;
}) {
  const { data: target } = useTarget(app.target.id);
  // The rule gates deployments on push and new revisions (what the agent applies) on pull.
  const rule = target
    ? describeApprovalRule(target).replace(/^Deploys/, app.mode === "pull" ? "New revisions" : "Deploys")
    : null;
  const canDeploy = canManage && app.mode === "push" && app.source.kind === "git" && !!app.source.repoUrl;

  return (
    <>
      <PageHeader
        title={app.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <TargetModeBadge mode={app.mode} /> on {app.target.name} ({app.target.environment})
          </span>
        }
        actions={
          canManage ? (
            <>
              {canDeploy ? (
                <DeployApplicationButton app={app} rule={rule ?? "The target's approval rule applies"} />
              ) : null}
              <DeleteApplicationButton app={app} />
            </>
          ) : undefined
        }
      />
      {justCreated ? <CreatedNotice app={app} /> : null}
      {canManage && app.mode === "push" && app.source.kind === "manifests" ? (
        <p className="mb-4 text-sm text-slate-600">
          Its manifests are sent with each deployment: request one from{" "}
          <Link href={`/targets/${app.target.id}/deploy`} className="text-brand-700 hover:underline">
            the target&apos;s New deployment page
          </Link>
          .
        </p>
      ) : null}
      <div className="mb-6">
        <LiveStateCard app={app} />
      </div>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <div className="min-w-0 space-y-6">
          <Card>
            <CardHeader title="Where it runs" />
            <CardBody>
              <dl className="space-y-3 text-sm">
                <Row label="Target">
                  <Link href={`/targets/${app.target.id}`} className="text-brand-700 hover:underline">
                    {app.target.name}
                  </Link>
                </Row>
                <Row label="Environment">{app.target.environment}</Row>
                <Row label="Mode">
                  {app.mode === "push"
                    ? "Push: Wharf applies each approved deployment"
                    : "Pull: the target's agent syncs it from Git"}
                </Row>
                <Row label="Approvals">{rule ?? "—"}</Row>
                <Row label="Other environments">
                  <Link
                    href={`/applications?name=${encodeURIComponent(app.name)}`}
                    className="text-brand-700 hover:underline"
                  >
                    {app.name} on every target
                  </Link>
                </Row>
              </dl>
            </CardBody>
          </Card>
          <ApplicationSettingsCard
            app={app}
            canEdit={canManage}
            target={target && rule ? { requiredApprovals: target.requiredApprovals, rule } : null}
          />
        </div>
        <div className="min-w-0">
          <ApplicationTimeline app={app} canRollback={canManage} />
        </div>
      </div>
    </>
  );
}
