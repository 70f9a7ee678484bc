"use client";

import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { useCursorStack } from "@/components/ui/cursor-pager";
import type { CredentialStatusCounts, TRotationStatus } from "@/lib/credentials/schemas";
import { cn } from "@/lib/utils";

const FILTERS: { value: TRotationStatus | undefined; label: string; count: (c: CredentialStatusCounts) => number }[] = [
  { value: undefined, label: "All", count: (c) => c.ok + c.dueSoon + c.rotationFailed + c.overdue + c.expired },
  { value: "ok", label: "OK", count: (c) => c.ok },
  { value: "due-soon", label: "Due soon", count: (c) => c.dueSoon },
  { value: "rotation-failed", label: "Rotation failed", count: (c) => c.rotationFailed },
  { value: "overdue", label: "Overdue", count: (c) => c.overdue },
  { value: "expired", label: "Expired", count: (c) => c.expired },
];

/**
 * A credential list's status filter, kept in the URL (`?status=overdue`, so the home page's counts link straight to
 * a filtered list), and its pages: changing the status goes back to the first page.
 */
export function useStatusFilteredPages(initialStatus: TRotationStatus | undefined) {
  const router = useRouter();
  const pathname = usePathname();
  const [status, setStatusState] = useState<TRotationStatus | undefined>(initialStatus);
  const pages = useCursorStack();
  const setStatus = (next: TRotationStatus | undefined) => {
    setStatusState(next);
    pages.reset();
    router.replace(next ? `${pathname}?status=${next}` : pathname, { scroll: false });
  };
  return { status, setStatus, pages };
}

/** Toggle buttons, one per status with its count once known. */
export function StatusFilterGroup({
  status,
  onChange,
  counts,
  className,
}: {
  status: TRotationStatus | undefined;
  onChange: (next: TRotationStatus | undefined) => void;
  counts: CredentialStatusCounts | undefined;
  className?: string;
}) {
  return (
    <div role="group" aria-label="Filter by status" className={cn("flex flex-wrap gap-2", className)}>
      {FILTERS.map((f) => (
        <button
          key={f.label}
          type="button"
          aria-pressed={status === f.value}
          onClick={() => onChange(f.value)}
          className={cn(
            "rounded-full px-3 py-1 text-sm font-medium ring-1 ring-inset focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
            status === f.value
              ? "bg-slate-800 text-white ring-slate-800"
              : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50",
          )}
        >
          {f.label}
          {counts ? <span className="ml-1.5 tabular-nums opacity-75">{f.count(counts)}</span> : null}
        </button>
      ))}
    </div>
  );
}
