"use client";

import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, Td, Th } from "@/components/ui/table";
import { usePinRepo, useRegisterRepo, useRemoveRepo } from "@/lib/repos/hooks/use-repo-mutations";
import type { PullRepoView } from "@/lib/repos/schemas";
import { repositoryName } from "@/lib/repos/url";
import { PinDialog } from "./pin-dialog";
import { RegisterRepoForm } from "./register-repo-form";
import { shortRevision, SyncStateBadge } from "./sync-badges";

/** Registered repositories with their reported state, and the "Register repository" form for deployers and admins. */
export function ReposCard({
  targetId,
  repos,
  canRegister,
}: {
  targetId: string;
  repos: PullRepoView[];
  canRegister: boolean;
}) {
  const [open, setOpen] = useState(false);
  const register = useRegisterRepo(targetId);
  const remove = useRemoveRepo(targetId);
  const pin = usePinRepo(targetId);
  return (
    <Card>
      <CardHeader
        title="Repositories"
        description="The agent syncs each repository's manifests into the cluster. Pushes wake it through the Git webhook."
        actions={
          canRegister && !open ? (
            <Button size="sm" onClick={() => setOpen(true)}>
              Register repository
            </Button>
          ) : undefined
        }
      />
      <CardBody className="space-y-4">
        {register.isSuccess && !open ? (
          <p role="status" className="text-sm text-emerald-700">
            Registered {register.data.url}. The agent picks it up within seconds.
          </p>
        ) : null}
        {open ? (
          <RegisterRepoForm
            pending={register.isPending}
            error={register.error}
            onCancel={() => setOpen(false)}
            onSubmit={(input) => register.mutate(input, { onSuccess: () => setOpen(false) })}
          />
        ) : null}
        {pin.error ? (
          <p role="alert" className="text-sm text-red-700">
            {pin.error.message}
          </p>
        ) : null}
        {pin.data?.outcome === "pending-approval" && pin.data.deploymentId ? (
          <p role="status" className="text-sm text-violet-800">
            Rollback requested; it takes effect once approved:{" "}
            <Link className="underline" href={`/deployments/${pin.data.deploymentId}`}>
              approval request
            </Link>
            .
          </p>
        ) : null}
        {repos.length === 0 ? (
          <p className="text-sm text-slate-500">No repository is registered on this target yet.</p>
        ) : (
          <Table label="Registered repositories">
            <thead>
              <tr>
                <Th>Repository</Th>
                <Th>State</Th>
                <Th>Revision</Th>
                <Th>Options</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {repos.map((r) => (
                <tr key={r.id} className="align-top">
                  <Td className="whitespace-normal">
                    <div className="font-mono text-xs break-all">{r.url}</div>
                    <div className="text-xs text-slate-500">
                      {r.branch} · {r.path} · every {r.pollIntervalSeconds} s
                    </div>
                  </Td>
                  <Td className="whitespace-normal">
                    <SyncStateBadge state={r.status?.state ?? "unknown"} pin={r.pin} branch={r.branch} />
                    {r.status?.message ? (
                      <div className="mt-1 max-w-xs text-xs text-slate-500">{r.status.message}</div>
                    ) : null}
                    {r.status?.lastSyncAt ? (
                      <div className="text-xs text-slate-500">
                        last sync <RelativeTime value={r.status.lastSyncAt} />
                      </div>
                    ) : null}
                  </Td>
                  <Td className="font-mono text-xs" title={r.status?.revision ?? undefined}>
                    {shortRevision(r.status?.revision ?? null)}
                    {r.pinnedRevision ? (
                      <div className="mt-1">
                        <Badge tone="yellow" title={r.pinnedRevision}>
                          pinned to {shortRevision(r.pinnedRevision)}
                        </Badge>
                      </div>
                    ) : null}
                    {r.pendingPin ? (
                      <div className="mt-1">
                        <Link
                          className="text-xs text-violet-800 underline"
                          href={`/deployments/${r.pendingPin.deploymentId}`}
                        >
                          rollback to {shortRevision(r.pendingPin.revision)} waits for approval
                        </Link>
                      </div>
                    ) : null}
                  </Td>
                  <Td className="text-xs">
                    {r.prune ? "prune" : "no prune"} · {r.selfHeal ? "self-heal" : "no self-heal"}
                    {r.imagePolicies.length ? <div>images: {r.imagePolicies.map((p) => p.name).join(", ")}</div> : null}
                    {r.imagePolicies
                      .filter((p) => p.invalid)
                      .map((p) => (
                        <div key={p.name} role="alert" className="text-red-700">
                          image policy {p.name} is invalid (the agent will not sync): {p.invalid}
                        </div>
                      ))}
                  </Td>
                  <Td className="space-x-1">
                    <Link
                      className="text-xs text-brand-700 hover:underline"
                      href={`/sync?repoId=${encodeURIComponent(r.id)}`}
                    >
                      History
                    </Link>
                    {canRegister && r.pinnedRevision ? (
                      <PinDialog
                        repoId={r.id}
                        revision={null}
                        pending={pin.isPending}
                        error={pin.error?.message ?? null}
                        onConfirm={(done) => pin.mutate({ repoId: r.id, revision: null }, { onSuccess: done })}
                        trigger={
                          <Button variant="ghost" size="sm" disabled={pin.isPending}>
                            Unpin
                          </Button>
                        }
                      />
                    ) : null}
                    {canRegister ? (
                      <ConfirmDialog
                        title="Stop syncing this repository?"
                        description={`The agent stops syncing ${r.url} (${r.branch}). Objects it applied stay in the cluster; the sync history is kept.`}
                        confirmText={repositoryName(r.url)}
                        confirmLabel="Remove repository"
                        pending={remove.isPending}
                        error={remove.error?.message ?? null}
                        onConfirm={() => remove.mutate(r.id)}
                        trigger={
                          <Button variant="ghost" size="sm">
                            Remove
                          </Button>
                        }
                      />
                    ) : null}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </CardBody>
    </Card>
  );
}
