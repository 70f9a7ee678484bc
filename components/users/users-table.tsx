"use client";

import { DateTime } from "@/components/ui/date-time";
import { RelativeTime } from "@/components/ui/relative-time";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { LoadMore } from "@/components/ui/load-more";
import { ApiError } from "@/lib/api-fetch";
import { useUpdateUser } from "@/lib/users/hooks/use-update-user";
import { useUsers } from "@/lib/users/hooks/use-users";
import type { UserView } from "@/lib/users/schemas";
import { RoleBadge } from "./role-badge";
import { RoleControl } from "./role-control";

function errorText(err: unknown): string | null {
  if (!err) return null;
  return err instanceof ApiError ? err.message : "The change could not be saved.";
}

function UserRow({ user, isSelf }: { user: UserView; isSelf: boolean }) {
  const toggle = useUpdateUser();
  const action = user.disabled ? "Enable" : "Disable";
  return (
    <tr className={user.disabled ? "bg-slate-50 text-slate-500" : undefined}>
      <Td className="font-medium text-slate-900">
        {user.email}
        {isSelf ? <span className="ml-2 text-xs text-slate-500">(you)</span> : null}
      </Td>
      <Td>{user.name}</Td>
      <Td>
        <div className="flex items-start gap-2">
          <span className="pt-1">
            <RoleBadge role={user.role} />
          </span>
          <RoleControl user={user} />
        </div>
      </Td>
      <Td>{user.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}</Td>
      <Td>
        <RelativeTime value={user.lastSignInAt} />
      </Td>
      <Td>
        <DateTime value={user.createdAt} precision="date" />
      </Td>
      <Td className="text-right">
        {isSelf ? null : (
          // Keyed by state: once the change lands, the dialog for the old state unmounts and so closes.
          <ConfirmDialog
            key={action}
            trigger={
              <Button variant={user.disabled ? "secondary" : "danger"} size="sm">
                {action}
              </Button>
            }
            title={`${action} ${user.email}?`}
            description={
              user.disabled
                ? "They will be able to sign in again, and their API tokens will work again."
                : "They are signed out everywhere at once, cannot sign in, and their API tokens stop working until re-enabled."
            }
            confirmLabel={action}
            pending={toggle.isPending}
            error={errorText(toggle.error)}
            onConfirm={() => toggle.mutate({ id: user.id, disabled: !user.disabled })}
          />
        )}
      </Td>
    </tr>
  );
}

/** The users table with per-row role change and disable/enable; pages with "Load more". */
export function UsersTable({ currentUserId }: { currentUserId: string }) {
  const query = useUsers();
  const users = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      {query.isError ? (
        <p role="alert" className="px-5 py-4 text-sm text-red-600">
          {errorText(query.error)}
        </p>
      ) : users.length === 0 ? (
        <EmptyState
          title={query.isPending ? "Loading users…" : "No users yet"}
          description="Add a user to let them sign in."
        />
      ) : (
        <>
          <Table label="Users">
            <thead className="bg-slate-50">
              <tr>
                <Th>Email</Th>
                <Th>Name</Th>
                <Th>Role</Th>
                <Th>Status</Th>
                <Th>Last sign-in</Th>
                <Th>Created</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.map((u) => (
                <UserRow key={u.id} user={u} isSelf={u.id === currentUserId} />
              ))}
            </tbody>
          </Table>
          <LoadMore query={query} />
        </>
      )}
    </Card>
  );
}
