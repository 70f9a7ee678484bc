import { Badge, type BadgeTone } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import type { TLiveNode, TLiveSync } from "@/lib/agent/protocol";
import { cn } from "@/lib/utils";

// Issue 15, Must 1: what the resource tree says of one object besides its health — its sync status against what
// Wharf applied (with the drifted fields, their values and the field manager that changed them) and its Events.

/** An object's sync status as a badge with its own glyph (not colour alone); Synced stays quiet. */
export function SyncBadge({ sync }: { sync: TLiveSync }) {
  const look = {
    Synced: { tone: "neutral", icon: "=" },
    OutOfSync: { tone: "yellow", icon: "≠" },
    Unknown: { tone: "neutral", icon: "?" },
  } as const satisfies Record<TLiveSync["status"], { tone: BadgeTone; icon: string }>;
  const { tone, icon } = look[sync.status];
  const count = sync.fields.length + (sync.omittedFields ?? 0);
  return (
    <Badge
      tone={tone}
      title={
        sync.status === "OutOfSync"
          ? (sync.message ?? `${count} field${count === 1 ? "" : "s"} differ from what Wharf applied`)
          : sync.message
      }
    >
      <span aria-hidden="true" className="mr-1">
        {icon}
      </span>
      <span>{sync.status}</span>
    </Badge>
  );
}

/**
 * What an expanded object shows below its row: each field that differs from what Wharf applied as
 * `path  applied → live  by <manager> <time>` (the manager that owns the live value, from managedFields), and its
 * recent Events, newest first.
 */
export function NodeDetails({ node }: { node: TLiveNode }) {
  const sync = node.sync;
  const syncNote = sync && (sync.fields.length > 0 || sync.message !== undefined);
  const events = node.events ?? [];
  if (!syncNote && events.length === 0) return null;
  const what = `${node.kind} ${node.name}`;
  return (
    <div className="mb-1 ml-5 space-y-2 text-xs">
      {sync && syncNote ? (
        <div>
          <p className={cn("font-medium", sync.status === "OutOfSync" ? "text-amber-800" : "text-slate-700")}>
            {sync.status === "OutOfSync" ? "Differs from what Wharf applied" : "Sync status unknown"}
            {sync.message ? `: ${sync.message}` : ""}
          </p>
          {sync.fields.length > 0 ? (
            <ul aria-label={`Drifted fields of ${what}`} className="mt-1 space-y-1">
              {sync.fields.map((field) => (
                <li key={field.path} className="break-all">
                  <code className="font-mono font-medium text-slate-900">{field.path}</code>{" "}
                  <span className="font-mono text-slate-600">{field.applied ?? "(not set)"}</span>{" "}
                  <span aria-hidden="true">→</span>
                  <span className="sr-only">changed to</span>{" "}
                  <span className="font-mono text-slate-900">{field.live ?? "(removed)"}</span>
                  <span className="text-slate-600">
                    {field.owner ? (
                      <>
                        {" "}
                        by <span className="font-medium text-slate-800">{field.owner.manager}</span> (
                        {field.owner.operation}) {field.owner.time ? <RelativeTime value={field.owner.time} /> : null}
                      </>
                    ) : (
                      " (no other field manager owns it)"
                    )}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          {sync.omittedFields ? (
            <p className="text-slate-500">and {sync.omittedFields} more fields not shown</p>
          ) : sync.truncated ? (
            <p className="text-slate-500">Long paths and values are cut short (…).</p>
          ) : null}
        </div>
      ) : null}
      {events.length > 0 ? (
        <div>
          <p className="font-medium text-slate-700">Recent events</p>
          <ul aria-label={`Events of ${what}`} className="mt-1 space-y-1">
            {events.map((event, index) => (
              <li key={`${index}-${event.reason}`} className="break-words">
                <span className={event.type === "Warning" ? "font-medium text-red-700" : "font-medium text-slate-700"}>
                  {event.type === "Warning" ? <span aria-hidden="true">⚠ </span> : null}
                  {event.type === "Warning" ? <span className="sr-only">Warning: </span> : null}
                  {event.reason}
                </span>{" "}
                <span className="text-slate-800">{event.message}</span>
                {event.count > 1 ? <span className="text-slate-500"> ×{event.count}</span> : null}
                {event.lastTime ? (
                  <span className="text-slate-500">
                    {" "}
                    · <RelativeTime value={event.lastTime} />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
