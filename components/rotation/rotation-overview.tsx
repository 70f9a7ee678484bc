"use client";

import Link from "next/link";
import { ClusterAdminBadge } from "@/components/credentials/cluster-admin-badge";
import { CredentialStatusBadge } from "@/components/credentials/status-badge";
import { StatusFilterGroup, useStatusFilteredPages } from "@/components/credentials/status-filter";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CursorPager } from "@/components/ui/cursor-pager";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, Td, Th } from "@/components/ui/table";
import { CREDENTIAL_KIND_LABELS, type TRotationStatus } from "@/lib/credentials/schemas";
import { formatDays, formatDuration } from "@/lib/format/duration";
import { useRotationOverview } from "@/lib/rotation/hooks/use-rotation-overview";
import { ROTATION_PAGE_SIZE } from "@/lib/rotation/query";
import { AgeChart } from "./age-chart";
import { RotateNowButton } from "./rotate-now-button";

const SHOW_TIME_WITHIN_MS = 2 * 86_400_000;

/**
 * A date without its time (the full instant is in the tooltip), to keep the wide table readable; within two days of
 * `now` the time too, or a short-lived token that rotates hourly would show the same day in every column. `now` is
 * the server's, sent with the page, so server and browser pick the same precision.
 */
function Day({ iso, now }: { iso: string | null; now: string }) {
  const near = iso !== null && Math.abs(Date.parse(iso) - Date.parse(now)) < SHOW_TIME_WITHIN_MS;
  return <DateTime value={iso} precision={near ? "minute" : "date"} />;
}

/**
 * The rotation page: every active credential with age, expiry, last and next rotation, policy and status (with the
 * server's message when automatic rotation failed), "Rotate now", and a chart of ages against policy limits. The
 * status filter lives in the URL; pages follow cursors.
 */
export function RotationOverview({
  initialStatus,
  canRotate,
}: {
  initialStatus?: TRotationStatus;
  canRotate: boolean;
}) {
  const { status, setStatus, pages } = useStatusFilteredPages(initialStatus);
  const query = useRotationOverview({ status, cursor: pages.cursor, limit: ROTATION_PAGE_SIZE });

  return (
    <div className="space-y-6">
      <StatusFilterGroup status={status} onChange={setStatus} counts={query.data?.counts} />

      {query.isPending ? (
        <p className="text-sm text-slate-500" aria-busy="true">
          Loading credentials…
        </p>
      ) : query.isError ? (
        <p role="alert" className="text-sm text-red-600">
          {query.error.message}
        </p>
      ) : query.data.items.length === 0 ? (
        <Card>
          <EmptyState
            title={status ? "No credentials with this status" : "No credentials to rotate yet"}
            description={
              status
                ? "Pick another filter to see the rest."
                : "Store a cluster credential on a push target; it shows up here with its rotation schedule."
            }
            action={
              status ? undefined : (
                <Button asChild variant="secondary">
                  <Link href="/targets">Go to targets</Link>
                </Button>
              )
            }
          />
        </Card>
      ) : (
        <>
          <Card>
            <CardHeader
              title="Age against policy limits"
              description="How long since each credential was last rotated, and where its policy's maximum age lies."
            />
            <CardBody>
              <AgeChart items={query.data.items} />
            </CardBody>
          </Card>
          <Card>
            <Table label="Credentials and their rotation">
              <thead>
                <tr>
                  <Th>Target</Th>
                  <Th>Label · kind</Th>
                  <Th>Age</Th>
                  <Th>Expires</Th>
                  <Th>Last rotated</Th>
                  <Th>Next rotation</Th>
                  <Th>Policy</Th>
                  <Th>Status</Th>
                  {canRotate ? (
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100" aria-busy={query.isFetching}>
                {query.data.items.map((c) => (
                  <tr key={c.id} data-testid="rotation-row">
                    <Td>
                      <Link href={`/targets/${c.targetId}`} className="font-medium text-brand-700 hover:underline">
                        {c.targetName}
                      </Link>
                    </Td>
                    <Td>
                      <span className="block">{c.label}</span>
                      {CREDENTIAL_KIND_LABELS[c.kind]}
                      {c.autoRotate ? (
                        <span className="block text-xs text-slate-500">rotated automatically</span>
                      ) : null}
                    </Td>
                    <Td className="tabular-nums">{formatDuration(c.ageMs)}</Td>
                    <Td>
                      <Day iso={c.expiresAt} now={query.data.now} />
                    </Td>
                    <Td>
                      <Day iso={c.lastRotatedAt} now={query.data.now} />
                      <span className="block text-xs text-slate-500">{c.origin}</span>
                    </Td>
                    <Td>
                      <Day iso={c.nextRotationAt} now={query.data.now} />
                    </Td>
                    <Td>
                      {c.policyName ?? "—"}
                      {c.policyName && c.policyMaxAgeDays !== null ? (
                        <span className="block text-xs text-slate-500">max {formatDays(c.policyMaxAgeDays)}</span>
                      ) : null}
                    </Td>
                    <Td className="min-w-56 whitespace-normal">
                      <span className="flex flex-wrap gap-1">
                        {c.status ? <CredentialStatusBadge status={c.status} /> : null}
                        <ClusterAdminBadge clusterAdmin={c.clusterAdmin} />
                      </span>
                      {c.rotationError ? (
                        <p className="mt-1 max-w-xs break-words text-xs text-red-700" data-testid="rotation-error">
                          {c.rotationError}
                          {c.nextRotationAttemptAt ? (
                            <span className="block text-slate-500">
                              Next attempt <RelativeTime value={c.nextRotationAttemptAt} />
                            </span>
                          ) : null}
                        </p>
                      ) : null}
                    </Td>
                    {canRotate ? (
                      <Td>
                        <RotateNowButton
                          credentialId={c.id}
                          targetId={c.targetId}
                          kind={c.kind}
                          targetName={c.targetName}
                        />
                      </Td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </Table>
            <CursorPager stack={pages} nextCursor={query.data.nextCursor} />
          </Card>
        </>
      )}
    </div>
  );
}
