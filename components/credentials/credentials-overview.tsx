"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { useCredentials } from "@/lib/credentials/hooks/use-credentials";
import { CREDENTIAL_KIND_LABELS, type CredentialStatusCounts, type TRotationStatus } from "@/lib/credentials/schemas";
import { cn } from "@/lib/utils";
import { CredentialStatusBadge, formatDate } from "./status-badge";

export const CREDENTIALS_PAGE_SIZE = 50;

const FILTERS: { value: TRotationStatus | undefined; label: string; count: (c: CredentialStatusCounts) => number }[] = [
  { value: undefined, label: "All", count: (c) => c.ok + c.dueSoon + c.rotationFailed + c.overdue + c.expired },
  { value: "ok", label: "OK", count: (c) => c.ok },
  { value: "due-soon", label: "Due soon", count: (c) => c.dueSoon },
  { value: "rotation-failed", label: "Rotation failed", count: (c) => c.rotationFailed },
  { value: "overdue", label: "Overdue", count: (c) => c.overdue },
  { value: "expired", label: "Expired", count: (c) => c.expired },
];

/**
 * Every active credential with its rotation status, filterable by status and paged by cursor. The status filter
 * lives in the URL (`?status=overdue`), so the home page's counts link straight to a filtered list.
 */
export function CredentialsOverview({ initialStatus }: { initialStatus?: TRotationStatus }) {
  const router = useRouter();
  const pathname = usePathname();
  const [status, setStatusState] = useState<TRotationStatus | undefined>(initialStatus);
  const setStatus = (next: TRotationStatus | undefined) => {
    setStatusState(next);
    router.replace(next ? `${pathname}?status=${next}` : pathname, { scroll: false });
  };
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const query = useCredentials({ status, cursor, limit: CREDENTIALS_PAGE_SIZE });
  const counts = query.data?.counts;

  return (
    <Card>
      <div role="group" aria-label="Filter by status" className="flex flex-wrap gap-2 border-b border-slate-100 px-5 py-3">
        {FILTERS.map((f) => (
          <button
            key={f.label}
            type="button"
            aria-pressed={status === f.value}
            onClick={() => {
              setStatus(f.value);
              setCursors([]);
            }}
            className={cn(
              "rounded-full px-3 py-1 text-sm font-medium ring-1 ring-inset focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
              status === f.value ? "bg-slate-800 text-white ring-slate-800" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50",
            )}
          >
            {f.label}
            {counts ? <span className="ml-1.5 tabular-nums opacity-75">{f.count(counts)}</span> : null}
          </button>
        ))}
      </div>
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
          description={status ? "Pick another filter to see the rest." : "Store a cluster credential from a push target's page, or import targets from a kubeconfig."}
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
                  <Td>{CREDENTIAL_KIND_LABELS[c.kind]}</Td>
                  <Td className="font-mono">{c.fingerprint}</Td>
                  <Td>{c.status ? <CredentialStatusBadge status={c.status} /> : null}</Td>
                  <Td>{formatDate(c.expiresAt)}</Td>
                  <Td>{formatDate(c.lastRotatedAt)}</Td>
                  <Td>{formatDate(c.nextRotationDue)}</Td>
                  <Td>{c.policyName ?? "—"}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {cursors.length > 0 || query.data.nextCursor ? (
            <div className="flex justify-end gap-2 border-t border-slate-100 px-5 py-3">
              <Button variant="secondary" size="sm" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
                Previous
              </Button>
              <Button
                variant="secondary"
                size="sm"
                disabled={!query.data.nextCursor}
                onClick={() => {
                  const next = query.data.nextCursor;
                  if (next) setCursors((c) => [...c, next]);
                }}
              >
                Next
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}
