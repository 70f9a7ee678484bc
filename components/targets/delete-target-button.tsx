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
      description="The target and all of its credentials (including history) are deleted. The audit trail keeps the record. This cannot be undone."
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
