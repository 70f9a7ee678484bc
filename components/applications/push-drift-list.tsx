import Link from "next/link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Breakable, Table, Td, Th } from "@/components/ui/table";
import { pushDriftSearch, type PushDriftEventView, type TPushDriftFilter } from "@/lib/applications/drift-schemas";

const objectName = (ref: PushDriftEventView["objects"][number]["ref"]) =>
  `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;

/** Each drifted object with its fields as applied → live and the manager that changed them (server component). */
function DriftedFields({ e }: { e: PushDriftEventView }) {
  if (e.objects.length === 0) return <span className="text-slate-600">{e.message || "—"}</span>;
  return (
    <ul className="space-y-1">
      {e.objects.map((o) => (
        <li key={`${o.ref.apiVersion}/${objectName(o.ref)}`}>
          <span className="font-medium text-slate-800">{objectName(o.ref)}</span>
          {o.note ? <span className="text-slate-600"> — {o.note}</span> : null}
          <ul className="ml-3">
            {o.fields.map((f) => (
              <li key={f.path} className="text-xs text-slate-700">
                <code>
                  <Breakable text={f.path} />
                </code>{" "}
                {f.applied !== null || f.live !== null ? (
                  <span className="font-mono">
                    {f.applied ?? "(not set)"} → {f.live ?? "(removed)"}
                  </span>
                ) : null}
                {f.manager ? <span className="text-slate-500"> ({f.manager})</span> : null}
              </li>
            ))}
            {o.omittedFields > 0 ? <li className="text-xs text-slate-500">and {o.omittedFields} more fields</li> : null}
          </ul>
        </li>
      ))}
      {e.truncated ? (
        <li className="text-xs text-slate-500">The read kept only the first objects and fields.</li>
      ) : null}
    </ul>
  );
}

/**
 * The push drift list: one row per drift a status read recorded, newest first, one page at a time. The cursor lives in
 * the URL ("Older" links to the next page), so the page is a plain server render and any page can be linked.
 */
export function PushDriftList({
  items,
  nextCursor,
  filter,
  paged,
}: {
  items: PushDriftEventView[];
  nextCursor: string | null;
  filter: TPushDriftFilter;
  /** The page on screen is not the first one. */
  paged: boolean;
}) {
  const filtered = Boolean(filter.targetId || filter.applicationId || filter.environment || filter.from || filter.to);
  const scope = [
    filter.environment ? `environment ${filter.environment}` : null,
    filter.from || filter.to ? `[${filter.from ?? "…"}, ${filter.to ?? "…"})` : null,
  ]
    .filter(Boolean)
    .join(", ");
  const first = pushDriftSearch(filter);
  return (
    <Card>
      <CardHeader
        title="Drift events"
        description={scope ? `Recorded in ${scope}.` : "Every drift recorded, newest first."}
        actions={
          paged ? (
            <Link href={first ? `/applications/drift?${first}` : "/applications/drift"} className="text-sm underline">
              Newest
            </Link>
          ) : undefined
        }
      />
      <CardBody className="space-y-3">
        {items.length === 0 ? (
          filtered ? (
            <EmptyState
              title="No push drift in this range"
              description="No status read found a push application's objects differing from its last deployment here."
            />
          ) : (
            <EmptyState
              title="No push drift yet"
              description="When a status read finds a push application's objects changed in the cluster (e.g. a kubectl edit), the drift shows up here and on the application's timeline."
            />
          )
        ) : (
          <Table label="Push drift">
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Application</Th>
                <Th>Target · environment</Th>
                <Th>Drifted fields (applied → live, manager)</Th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} className="align-top">
                  <Td className="whitespace-nowrap">
                    <DateTime value={e.occurredAt} />
                  </Td>
                  <Td>
                    <Link href={`/applications/${e.application.id}`} className="font-medium underline">
                      {e.application.name ?? "(deleted application)"}
                    </Link>
                    <div className="text-xs text-slate-500">
                      compared with{" "}
                      <Link href={`/deployments/${e.deploymentId}`} className="underline">
                        its deployment
                      </Link>
                    </div>
                  </Td>
                  <Td>
                    <Link href={`/targets/${e.target.id}`} className="underline">
                      {e.target.name ?? "(deleted target)"}
                    </Link>
                    <div className="text-xs text-slate-500">{e.environment ?? "no environment"}</div>
                  </Td>
                  <Td>
                    <DriftedFields e={e} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {nextCursor ? (
          <div className="flex justify-end">
            <Link href={`/applications/drift?${pushDriftSearch(filter, nextCursor)}`} className="text-sm underline">
              Older
            </Link>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
