import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import type { AwaitingApprovalItem } from "@/lib/deployments/schemas";
import { formatDateTime } from "@/lib/format/date";

/** "Waiting for my approval": the deployments the viewer may approve now, oldest first. A server component. */
export function AwaitingApprovalCard({ items }: { items: AwaitingApprovalItem[] }) {
  return (
    <Card>
      <CardHeader
        title="Waiting for my approval"
        description="Deployments you may approve now."
        actions={
          items.length ? <Badge tone="yellow">{items.length}</Badge> : <Badge tone="green">nothing waiting</Badge>
        }
      />
      <CardBody className="p-0">
        {items.length === 0 ? (
          <p className="px-5 py-6 text-sm text-slate-500">No deployment is waiting for you.</p>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="awaiting-approval">
            {items.map((d) => (
              <li key={d.id}>
                <a
                  href={`/deployments/${d.id}`}
                  className="flex items-center gap-3 px-5 py-2 text-sm hover:bg-slate-50"
                >
                  <span className="font-medium text-brand-700">{d.target.name}</span>
                  <span className="text-xs text-slate-500">{d.target.environment}</span>
                  <span className="truncate text-slate-600">{d.reason || `requested by ${d.requestedByName}`}</span>
                  <span className="ml-auto shrink-0 text-xs tabular-nums text-slate-500">
                    {d.approvedCount}/{d.requiredApprovals} · {formatDateTime(d.createdAt)}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
