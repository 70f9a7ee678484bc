"use client";

import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CursorPager } from "@/components/ui/cursor-pager";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { useCredentials } from "@/lib/credentials/hooks/use-credentials";
import { CREDENTIALS_PAGE_SIZE } from "@/lib/credentials/query";
import { CREDENTIAL_KIND_LABELS, type TRotationStatus } from "@/lib/credentials/schemas";
import { ClusterAdminBadge } from "./cluster-admin-badge";
import { CredentialStatusBadge } from "./status-badge";
import { StatusFilterGroup, useStatusFilteredPages } from "./status-filter";

/**
 * Every active credential with its rotation status, filterable by status and paged by cursor. The status filter
 * lives in the URL (`?status=overdue`), so the home page's counts link straight to a filtered list.
 */
export function CredentialsOverview({ initialStatus }: { initialStatus?: TRotationStatus }) {
  const { status, setStatus, pages } = useStatusFilteredPages(initialStatus);
  const query = useCredentials({ status, cursor: pages.cursor, limit: CREDENTIALS_PAGE_SIZE });

  return (
    <Card>
      <StatusFilterGroup
        status={status}
        onChange={setStatus}
        counts={query.data?.counts}
        className="border-b border-slate-100 px-5 py-3"
      />
      {query.isPending ? (
        <p className="px-5 py-6 text-sm text-slate-500" aria-busy="true">
          Loading credentials…
        </p>
      ) : query.isError ? (
        <p role="alert" className="px-5 py-6 text-sm text-red-600">
          {query.error.message}
        </p>
      ) : query.data.items.length === 0 ? (
        <EmptyState
          title={status ? "No credentials with this status" : "No credentials stored yet"}
          description={
            status
              ? "Pick another filter to see the rest."
              : "Store a cluster credential from a push target's page, or import targets from a kubeconfig."
          }
          action={
            status ? undefined : (
              <Button asChild variant="secondary">
                <Link href="/targets">Go to targets</Link>
              </Button>
            )
          }
        />
      ) : (
        <>
          <Table label="Credentials">
            <thead>
              <tr>
                <Th>Target</Th>
                <Th>Label</Th>
                <Th>Kind</Th>
                <Th>Fingerprint</Th>
                <Th>Status</Th>
                <Th>Expires</Th>
                <Th>Last rotated</Th>
                <Th>Next rotation due</Th>
                <Th>Policy</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100" aria-busy={query.isFetching}>
              {query.data.items.map((c) => (
                <tr key={c.id}>
                  <Td>
                    <Link href={`/targets/${c.targetId}`} className="font-medium text-brand-700 hover:underline">
                      {c.targetName}
                    </Link>
                  </Td>
                  <Td>{c.label}</Td>
                  <Td>{CREDENTIAL_KIND_LABELS[c.kind]}</Td>
                  <Td className="font-mono">{c.fingerprint}</Td>
                  <Td>
                    <span className="flex flex-wrap gap-1">
                      {c.status ? <CredentialStatusBadge status={c.status} /> : null}
                      <ClusterAdminBadge clusterAdmin={c.clusterAdmin} />
                    </span>
                  </Td>
                  <Td>
                    <DateTime value={c.expiresAt} precision="minute" />
                  </Td>
                  <Td>
                    <DateTime value={c.lastRotatedAt} precision="minute" />
                  </Td>
                  <Td>
                    <DateTime value={c.nextRotationDue} precision="minute" />
                  </Td>
                  <Td>{c.policyName ?? "—"}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <CursorPager stack={pages} nextCursor={query.data.nextCursor} />
        </>
      )}
    </Card>
  );
}
