"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { ApplicationView } from "@/lib/applications/schemas";
import { useDeleteApplication } from "@/lib/applications/hooks/use-delete-application";

/**
 * Delete with a confirmation that says what happens: the application is archived (its history stays readable), and
 * what it applied stays in the cluster. On success, back to the list.
 */
export function DeleteApplicationButton({ app }: { app: ApplicationView }) {
  const router = useRouter();
  const del = useDeleteApplication(app.id);
  return (
    <ConfirmDialog
      trigger={<Button variant="danger">Delete</Button>}
      title={`Delete ${app.name} from ${app.target.name}?`}
      description={
        <>
          {app.mode === "pull"
            ? "Its repository registration is removed and the target's agent stops syncing it. "
            : "Wharf stops deploying it, and webhook bindings that deploy it are removed. "}
          <strong className="font-semibold text-slate-800">
            The objects it applied stay in the cluster as they are
          </strong>{" "}
          — nothing is pruned; delete them with kubectl if they should go. Its history is kept: its deployments,
          approvals, syncs and audit records stay readable, marked deleted, and its name can be reused. A deployment of
          it waiting for approval or running must be cancelled first.
        </>
      }
      confirmLabel="Delete application"
      pending={del.isPending}
      error={del.error?.message ?? null}
      onConfirm={() =>
        del.mutate(undefined, {
          onSuccess: () => {
            router.push("/applications");
            router.refresh();
          },
        })
      }
    />
  );
}
