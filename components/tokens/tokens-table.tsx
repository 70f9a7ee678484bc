"use client";

import { DateTime } from "@/components/ui/date-time";
import { RelativeTime } from "@/components/ui/relative-time";
import { RoleBadge } from "@/components/users/role-badge";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { LoadMore } from "@/components/ui/load-more";
import { ApiError } from "@/lib/api-fetch";
import { useApiTokens } from "@/lib/tokens/hooks/use-api-tokens";
import { useRevokeApiToken } from "@/lib/tokens/hooks/use-revoke-api-token";
import type { ApiTokenView, TTokenStatus } from "@/lib/tokens/schemas";

const STATUS_TONE: Record<TTokenStatus, BadgeTone> = { active: "green", expired: "yellow", revoked: "red" };

function TokenRow({ token, showOwner }: { token: ApiTokenView; showOwner: boolean }) {
  const revoke = useRevokeApiToken();
  return (
    <tr className={token.status === "active" ? undefined : "text-slate-500"}>
      <Td className="font-medium text-slate-900">{token.name}</Td>
      <Td>
        <code className="font-mono text-xs">{token.prefix}…</code>
      </Td>
      <Td>
        <RoleBadge role={token.role} />
      </Td>
      {showOwner ? <Td>{token.owner.email}</Td> : null}
      <Td>
        <DateTime value={token.createdAt} precision="date" />
      </Td>
      <Td>
        <RelativeTime value={token.lastUsedAt} />
      </Td>
      <Td>
        <DateTime value={token.expiresAt} precision="date" empty="never" />
      </Td>
      <Td>
        <Badge tone={STATUS_TONE[token.status]}>{token.status}</Badge>
      </Td>
      <Td className="text-right">
        {token.status === "revoked" ? null : (
          <ConfirmDialog
            trigger={
              <Button variant="danger" size="sm">
                Revoke
              </Button>
            }
            title={`Revoke “${token.name}”?`}
            description={`Anything using ${token.prefix}… gets 401 from now on. This cannot be undone; create a new token instead.`}
            confirmLabel="Revoke token"
            pending={revoke.isPending}
            error={
              revoke.error
                ? revoke.error instanceof ApiError
                  ? revoke.error.message
                  : "The token could not be revoked."
                : null
            }
            onConfirm={() => revoke.mutate(token.id)}
          />
        )}
      </Td>
    </tr>
  );
}

/** API tokens, newest first: the caller's own, or everyone's for admins (with an owner column). */
export function TokensTable({ showOwner }: { showOwner: boolean }) {
  const query = useApiTokens();
  const tokens = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      {query.isError ? (
        <p role="alert" className="px-5 py-4 text-sm text-red-600">
          {query.error instanceof ApiError ? query.error.message : "Tokens could not be loaded."}
        </p>
      ) : tokens.length === 0 ? (
        <EmptyState
          title={query.isPending ? "Loading tokens…" : "No API tokens"}
          description="Tokens let scripts and CI call Wharf's API as you, with a role and an expiry."
        />
      ) : (
        <>
          <Table label="API tokens">
            <thead className="bg-slate-50">
              <tr>
                <Th>Name</Th>
                <Th>Token</Th>
                <Th>Role</Th>
                {showOwner ? <Th>Owner</Th> : null}
                <Th>Created</Th>
                <Th>Last used</Th>
                <Th>Expires</Th>
                <Th>Status</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tokens.map((t) => (
                <TokenRow key={t.id} token={t} showOwner={showOwner} />
              ))}
            </tbody>
          </Table>
          <LoadMore query={query} />
        </>
      )}
    </Card>
  );
}
