import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/layout/page-header";
import { SyncEventRecord } from "@/components/pull/sync-event-record";
import { requirePrincipal } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors";
import { getSyncEvent } from "@/lib/sync/data/get-sync-event";

export const metadata: Metadata = { title: "Sync" };

type Params = Promise<{ id: string }>;

/** One sync event and its record: a sync never changes once reported, so the page is rendered once, not polled. */
export default async function SyncEventPage({ params }: { params: Params }) {
  const principal = await requirePrincipal();
  const { id } = await params;
  let event;
  try {
    event = await getSyncEvent({ eventId: id, viewer: { userId: principal.userId, role: principal.role } });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/sync" className="text-brand-700 hover:underline">
          ← Sync history
        </Link>
      </nav>
      <PageHeader
        title={`Sync of ${event.revision ? (event.revision.id ?? event.revision.sha).slice(0, 12) : "no revision"} to ${event.cluster.name ?? event.target.id}`}
        description={`Event ${event.id}`}
      />
      <SyncEventRecord event={event} />
    </>
  );
}
