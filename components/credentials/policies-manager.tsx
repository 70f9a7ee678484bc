"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DialogContent, DialogRoot } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore } from "@/components/ui/load-more";
import { Table, Td, Th } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { usePolicies, usePolicyMutations } from "@/lib/credentials/hooks/use-policies";
import type { CredentialPolicyView } from "@/lib/credentials/schemas";
import { formatDays } from "@/lib/format/duration";
import { PolicyForm } from "./policy-form";

function DeletePolicyButton({ policy }: { policy: CredentialPolicyView }) {
  const { remove } = usePolicyMutations();
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="ghost" className="text-red-700">
          Delete
        </Button>
      }
      title={`Delete policy ${policy.name}?`}
      description={
        policy.explicitTargets
          ? `${policy.explicitTargets} target(s) name this policy; they fall back to their environment's policy, if any.`
          : "Credentials it governs will no longer have an age limit unless another policy applies."
      }
      confirmLabel="Delete policy"
      confirmText={policy.name}
      pending={remove.isPending}
      error={remove.error?.message ?? null}
      onConfirm={() => remove.mutate(policy.id)}
    />
  );
}

/** Credential policies: list for everyone; create, edit and delete (with confirmation) for people who may manage them. */
export function PoliciesManager({ canManage }: { canManage: boolean }) {
  const query = usePolicies();
  const policies = query.data?.pages.flatMap((p) => p.items) ?? [];
  const [editing, setEditing] = useState<CredentialPolicyView | "new" | null>(null);

  return (
    <Card>
      {canManage ? (
        <div className="flex justify-end border-b border-slate-100 px-5 py-3">
          <Button onClick={() => setEditing("new")}>New policy</Button>
        </div>
      ) : null}
      {query.isPending ? (
        <p className="px-5 py-6 text-sm text-slate-500" aria-busy="true">
          Loading policies…
        </p>
      ) : query.isError ? (
        <p role="alert" className="px-5 py-6 text-sm text-red-600">
          {query.error.message}
        </p>
      ) : policies.length === 0 ? (
        <EmptyState
          title="No credential policies"
          description="A policy sets how old a credential may get, when to warn, and who may replace it."
        />
      ) : (
        <>
          <Table label="Credential policies">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Max age</Th>
                <Th>Warn before</Th>
                <Th>Replace needs</Th>
                <Th>Applies to</Th>
                <Th>Rotation</Th>
                {canManage ? <Th className="text-right">Actions</Th> : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {policies.map((p) => (
                <tr key={p.id}>
                  <Td className="font-medium text-slate-900">{p.name}</Td>
                  <Td>{formatDays(p.maxAgeDays)}</Td>
                  <Td>{formatDays(p.warnBeforeDays)}</Td>
                  <Td>{p.minReplaceRole}</Td>
                  <Td>
                    {p.environment ? <Badge tone="blue">env: {p.environment}</Badge> : null}
                    {p.explicitTargets ? (
                      <span className="ml-2 text-xs text-slate-500">{p.explicitTargets} target(s) explicitly</span>
                    ) : null}
                    {!p.environment && !p.explicitTargets ? <span className="text-slate-500">Not applied</span> : null}
                  </Td>
                  <Td>{p.autoRotate ? "Automatic" : "Manual"}</Td>
                  {canManage ? (
                    <Td className="text-right">
                      <Button size="sm" variant="ghost" onClick={() => setEditing(p)}>
                        Edit
                      </Button>
                      <DeletePolicyButton policy={p} />
                    </Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
          <LoadMore query={query} />
        </>
      )}
      <DialogRoot open={editing !== null} onOpenChange={(open) => !open && setEditing(null)}>
        {editing !== null ? (
          <DialogContent title={editing === "new" ? "New credential policy" : `Edit ${editing.name}`}>
            <PolicyForm
              policy={editing === "new" ? undefined : editing}
              onDone={() => setEditing(null)}
              onCancel={() => setEditing(null)}
            />
          </DialogContent>
        ) : null}
      </DialogRoot>
    </Card>
  );
}
