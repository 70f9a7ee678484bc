"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DialogClose, DialogContent, DialogRoot, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { useCancelDeployment } from "@/lib/deployments/hooks/use-cancel-deployment";
import { useRollbackDeployment } from "@/lib/deployments/hooks/use-rollback-deployment";
import type { DeploymentView } from "@/lib/deployments/schemas";
import { formatDateTime } from "@/lib/format/date";

/** Cancel and Rollback, rendered only for those the server says may use them. */
export function DeploymentActions({ deployment: d }: { deployment: DeploymentView }) {
  const router = useRouter();
  const cancel = useCancelDeployment(d.id);
  const rollback = useRollbackDeployment(d.id);
  // A failed run rolls back to its application's last success (POST /api/deployments/<that one>/rollback).
  const rollbackToLast = useRollbackDeployment(d.lastSucceeded?.id ?? d.id);
  const [emergencyReason, setEmergencyReason] = useState("");
  const [emergencyError, setEmergencyError] = useState<string[] | undefined>();

  function rollBack(emergency: boolean) {
    if (emergency && !emergencyReason.trim()) {
      setEmergencyError(["Give the reason for the emergency."]);
      return;
    }
    rollback.mutate(emergency ? { emergency: { reason: emergencyReason } } : {}, {
      onSuccess: (created) => router.push(`/deployments/${created.id}`),
      onError: (err) => setEmergencyError(err.fields["emergency.reason"]),
    });
  }

  return (
    <>
      {d.canCancel ? (
        <ConfirmDialog
          trigger={<Button variant="secondary">Cancel deployment</Button>}
          title="Cancel this deployment?"
          description={
            d.state === "running"
              ? "Wharf stops before the next object is applied. What was already applied stays applied."
              : "It will not run. A new request is needed to deploy these manifests later."
          }
          confirmLabel="Cancel deployment"
          cancelLabel={d.state === "running" ? "Keep running" : "Keep the request"}
          pending={cancel.isPending}
          error={cancel.error?.message ?? null}
          onConfirm={() => cancel.mutate()}
        />
      ) : null}
      {d.canRollback && d.state === "plan-changed" ? (
        <ConfirmDialog
          trigger={<Button variant="secondary">Request again</Button>}
          title="Request this deployment again?"
          description={`A new request with these manifests is created for ${d.target.name}, previewed against what exists now. It needs the target's approvals like any other.`}
          confirmLabel="Request again"
          pending={rollback.isPending}
          error={rollback.error ? rollback.error.message : null}
          onConfirm={() => rollBack(false)}
        />
      ) : d.canRollback && d.state === "failed" && d.lastSucceeded ? (
        <ConfirmDialog
          trigger={<Button variant="secondary">Roll back to the last successful deployment</Button>}
          title="Roll back to the last successful deployment?"
          description={
            <>
              A new request with the manifests of the deployment that succeeded on{" "}
              {formatDateTime(d.lastSucceeded.finishedAt)} (what ran before this one) is created for {d.target.name}. It
              needs the target&apos;s approvals like any other.
            </>
          }
          confirmLabel="Request rollback"
          pending={rollbackToLast.isPending}
          error={rollbackToLast.error?.message ?? null}
          onConfirm={() =>
            rollbackToLast.mutate({}, { onSuccess: (created) => router.push(`/deployments/${created.id}`) })
          }
        />
      ) : d.canRollback && d.state === "succeeded" ? (
        <ConfirmDialog
          trigger={<Button variant="secondary">Roll back to this</Button>}
          title="Roll back to this deployment?"
          description={`A new request with these manifests is created for ${d.target.name}. It needs the target's approvals like any other.`}
          confirmLabel="Request rollback"
          pending={rollback.isPending}
          error={rollback.error && !emergencyError ? rollback.error.message : null}
          onConfirm={() => rollBack(false)}
        />
      ) : null}
      {d.canEmergencyRollback ? (
        <DialogRoot onOpenChange={() => setEmergencyError(undefined)}>
          <DialogTrigger asChild>
            <Button variant="danger">Emergency rollback</Button>
          </DialogTrigger>
          <DialogContent
            title="Emergency rollback"
            description="Skips approvals and queues the rollback at once. The reason is recorded on the deployment and in the audit trail."
          >
            <form
              className="space-y-4"
              onSubmit={(e) => {
                e.preventDefault();
                rollBack(true);
              }}
            >
              <Field htmlFor="emergency-reason" label="Reason" errors={emergencyError}>
                <Textarea
                  id="emergency-reason"
                  value={emergencyReason}
                  onChange={(e) => setEmergencyReason(e.target.value)}
                  rows={3}
                  aria-describedby="emergency-reason-help"
                />
              </Field>
              {rollback.error && !emergencyError ? (
                <p role="alert" className="text-sm text-red-600">
                  {rollback.error.message}
                </p>
              ) : null}
              <div className="flex justify-end gap-2">
                <DialogClose asChild>
                  <Button variant="secondary">Cancel</Button>
                </DialogClose>
                <Button type="submit" variant="danger" disabled={rollback.isPending}>
                  {rollback.isPending ? "Working…" : "Roll back now"}
                </Button>
              </div>
            </form>
          </DialogContent>
        </DialogRoot>
      ) : null}
    </>
  );
}
