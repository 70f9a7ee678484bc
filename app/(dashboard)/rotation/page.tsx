import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { RotationOverview } from "@/components/rotation/rotation-overview";
import { Button } from "@/components/ui/button";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { ZRotationStatus } from "@/lib/credentials/schemas";
import { getQueryClient } from "@/lib/query/query-client";
import { listRotationOverview } from "@/lib/rotation/data/list-rotation-overview";
import { ROTATION_PAGE_SIZE, rotationKeys } from "@/lib/rotation/query";

export const metadata: Metadata = { title: "Rotation" };

export default async function RotationPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const principal = await requirePrincipal("read");
  const parsed = ZRotationStatus.safeParse((await searchParams).status);
  const status = parsed.success ? parsed.data : undefined;
  const qc = getQueryClient();
  const filter = { status, cursor: undefined, limit: ROTATION_PAGE_SIZE };
  await qc.prefetchQuery({ queryKey: rotationKeys.list(filter), queryFn: () => listRotationOverview(filter) });
  return (
    <>
      <PageHeader
        title="Rotation"
        description="Every cluster credential with its age, schedule and status. Service account tokens under an auto-rotate policy are renewed by Wharf at the policy's interval or at 80 % of their lifetime, whichever comes first."
        actions={
          <Button asChild variant="secondary">
            <Link href="/policies">Credential policies</Link>
          </Button>
        }
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <RotationOverview initialStatus={status} canRotate={can(principal.role, "credentials.replace")} />
      </HydrationBoundary>
    </>
  );
}
