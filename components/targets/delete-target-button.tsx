"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useDeleteTarget } from "@/lib/targets/hooks/use-delete-target";

/** Delete with a type-the-name confirmation; on success, back to the list. Render only for admins. */
export function DeleteTargetButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const del = useDeleteTarget(id);
  return (
    <ConfirmDialog
      trigger={<Button variant="danger">Delete</Button>}
      title={`Delete target ${name}?`}
      description={
        <>
          Its credentials (including history) are destroyed, its webhook bindings and pull repositories removed, its
          agents stop serving it and requests awaiting approval are cancelled: nothing can be deployed to it any more.{" "}
          <strong className="font-semibold text-slate-800">
            The objects already applied stay in the cluster as they are
          </strong>{" "}
          — nothing is pruned. Its history is kept: its deployments, approvals, syncs and audit records stay readable,
          marked deleted, and its name can be given to a new target. This cannot be undone.
        </>
      }
      confirmLabel="Delete target"
      confirmText={name}
      pending={del.isPending}
      error={del.error?.message ?? null}
      onConfirm={() =>
        del.mutate(undefined, {
          onSuccess: () => {
            router.push("/targets");
            router.refresh();
          },
        })
      }
    />
  );
}
