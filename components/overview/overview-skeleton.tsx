/**
 * The Overview's cards, empty, while their figures stream in: the same order and about the same heights (the
 * approvals list, applications, push and pull side by side from `lg`, targets and rotation), so the page does not jump
 * when they arrive. A server component: nothing in it hydrates.
 */
export function OverviewSkeleton({ withApprovals }: { withApprovals: boolean }) {
  const block = "rounded-lg border border-slate-200 bg-slate-50";
  return (
    <div aria-busy="true" className="space-y-6">
      <p className="sr-only" role="status">
        Loading the overview…
      </p>
      {withApprovals ? <div className={`h-40 ${block}`} /> : null}
      <div className={`h-60 ${block}`} />
      <div className="grid gap-6 lg:grid-cols-2">
        <div className={`h-[72rem] ${block}`} />
        <div className={`h-[72rem] ${block}`} />
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <div className={`h-64 ${block}`} />
        <div className={`h-64 ${block}`} />
      </div>
    </div>
  );
}
