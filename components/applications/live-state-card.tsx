"use client";

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import type { TDrift, TLiveNode } from "@/lib/agent/protocol";
import { useApplicationLive } from "@/lib/applications/hooks/use-application-live";
import { initialExpanded, treeKeyAction, visibleRows, type LiveTreeRow } from "@/lib/applications/live-tree";
import type { ApplicationView } from "@/lib/applications/schemas";
import { cn } from "@/lib/utils";
import { HealthBadge } from "./health-badge";
import { NodeDetails, SyncBadge } from "./live-node-details";

/**
 * "Live state": what runs for this application and how healthy it is, re-read every few seconds while the page is
 * visible, and where it comes from in words: pull, the tree the target's agent last reported; push, the tree Wharf read
 * from the cluster with the target's credential (each read an audited credential use, so the source line names it).
 */
export function LiveStateCard({ app }: { app: ApplicationView }) {
  const { data: live, error } = useApplicationLive(app.id);
  let body;
  if (error && !live) {
    body = (
      <p role="alert" className="text-sm text-red-700">
        Could not load the live state: {error.message}
      </p>
    );
  } else if (!live) {
    body = <p className="text-sm text-slate-500">Loading…</p>;
  } else if (live.source === "none") {
    body = <p className="text-sm text-slate-600">{live.message}</p>;
  } else if (live.source === "agent" && !live.reported) {
    body = (
      <div className="space-y-1 text-sm">
        <p className="font-medium text-slate-900">The agent has not reported this application yet.</p>
        <p className="text-slate-600">{live.message}</p>
      </div>
    );
  } else {
    body = (
      <div className="space-y-4">
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
          <span className="inline-flex items-center gap-2">
            <span className="text-slate-500">Health</span>
            <HealthBadge status={live.health.status} message={live.health.message} />
          </span>
          <span className="text-slate-500">
            {live.source === "push" ? (
              <>
                Read from the cluster with {live.credentialLabel ?? "the target's credential"} (push){" "}
                <RelativeTime value={live.observedAt} />
              </>
            ) : (
              <>
                Reported by agent {live.agentName ?? live.agentId} (pull) <RelativeTime value={live.observedAt} />
              </>
            )}
          </span>
        </div>
        {live.source === "push" ? <PushDrift drift={live.drift} /> : null}
        {live.source === "push" && live.readError ? (
          <p role="alert" className="break-words text-sm text-amber-800">
            The last read failed
            {live.readAttemptAt ? (
              <>
                {" "}
                (<RelativeTime value={live.readAttemptAt} />)
              </>
            ) : null}
            : {live.readError}
          </p>
        ) : null}
        {live.health.message ? <p className="break-words text-sm text-slate-700">{live.health.message}</p> : null}
        {live.roots.length === 0 ? (
          <p className="text-sm text-slate-500">
            {live.source === "push" ? "Wharf" : "The agent"} found none of this application&apos;s objects.
          </p>
        ) : (
          <ResourceTree roots={live.roots} label={`Resources of ${app.name}`} />
        )}
        {live.truncated ? (
          <p className="text-xs text-slate-500">
            Some owned objects are left out ({live.nodeCount} shown); “+N more” says where.
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <Card>
      <CardHeader
        title="Live state"
        description={
          app.mode === "pull"
            ? "Pull: as the target's agent reports it"
            : "Push: read from the cluster with the target's credential while you look (each read is audited)"
        }
      />
      <CardBody>{body}</CardBody>
    </Card>
  );
}

/** How many objects, and which fields, differ from what the last deployment applied (push; pull drift is the agent's). */
function PushDrift({ drift }: { drift: TDrift | null }) {
  if (!drift)
    return <p className="text-sm text-slate-500">Drift: not checked (the comparison with the cluster failed).</p>;
  if (drift.objects.length === 0)
    return <p className="text-sm text-slate-600">In sync with the manifests of the last deployment.</p>;
  return (
    <div className="text-sm">
      <p className="font-medium text-amber-800">
        Drift: {drift.objects.length}
        {drift.truncated ? "+" : ""} object{drift.objects.length === 1 ? " differs" : "s differ"} from the last
        deployment
      </p>
      <ul className="mt-1 list-disc space-y-0.5 pl-5 text-slate-700">
        {drift.objects.slice(0, 5).map((o) => (
          <li key={`${o.ref.apiVersion}/${o.ref.kind}/${o.ref.namespace ?? ""}/${o.ref.name}`} className="break-words">
            {o.ref.kind} {o.ref.namespace ? `${o.ref.namespace}/` : ""}
            {o.ref.name}: {o.fields.slice(0, 5).join(", ")}
            {o.fields.length > 5 ? ` and ${o.fields.length - 5} more` : ""}
          </li>
        ))}
      </ul>
      {drift.objects.length > 5 ? (
        <p className="text-xs text-slate-500">and {drift.objects.length - 5} more objects</p>
      ) : null}
    </div>
  );
}

/** A WAI-ARIA tree (roving tabindex): the application's objects expanded, what they own collapsed. */
function ResourceTree({ roots, label }: { roots: TLiveNode[]; label: string }) {
  const [expanded, setExpanded] = useState(() => initialExpanded(roots));
  const rows = useMemo(() => visibleRows(roots, expanded), [roots, expanded]);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  // The row in the tab order: the focused one while it is still shown, else the first.
  const activeKey = rows.some((row) => row.key === focusKey) ? focusKey : (rows[0]?.key ?? null);
  const items = useRef(new Map<string, HTMLLIElement>());
  const moveFocus = useRef(false);

  useEffect(() => {
    if (!moveFocus.current || !activeKey) return;
    moveFocus.current = false;
    items.current.get(activeKey)?.focus();
  }, [activeKey]);

  const toggle = useCallback((key: string, open: boolean) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open) next.add(key);
      else next.delete(key);
      return next;
    });
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>, row: LiveTreeRow) => {
    // Keys pressed inside a row belong to that row only, not to its ancestors' treeitems.
    if (event.target !== event.currentTarget) return;
    const action = treeKeyAction(rows, expanded, row.key, event.key);
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    if (action.type === "focus") {
      moveFocus.current = true;
      setFocusKey(action.key);
    } else if (action.type === "expand") toggle(action.key, true);
    else if (action.type === "collapse") toggle(action.key, false);
    else setExpanded((prev) => new Set([...prev, ...action.keys]));
  };

  const byParent = new Map<string | null, LiveTreeRow[]>();
  for (const row of rows) byParent.set(row.parentKey, [...(byParent.get(row.parentKey) ?? []), row]);

  const renderRows = (parentKey: string | null) =>
    (byParent.get(parentKey) ?? []).map((row) => {
      const open = row.expandable && expanded.has(row.key);
      const labelId = `tree-${encodeURIComponent(row.key)}`;
      return (
        <li
          key={row.key}
          ref={(el) => {
            if (el) items.current.set(row.key, el);
            else items.current.delete(row.key);
          }}
          role="treeitem"
          aria-level={row.level}
          aria-posinset={row.posInSet}
          aria-setsize={row.setSize}
          aria-expanded={row.expandable ? open : undefined}
          // Selection follows focus: the tree selects nothing else, and screen readers announce the current row.
          aria-selected={row.key === activeKey}
          aria-labelledby={labelId}
          tabIndex={row.key === activeKey ? 0 : -1}
          onKeyDown={(event) => onKeyDown(event, row)}
          onFocus={(event) => {
            if (event.target === event.currentTarget) setFocusKey(row.key);
          }}
          className="rounded outline-none focus-visible:[&>div]:ring-2 focus-visible:[&>div]:ring-brand-500"
        >
          <div
            className={cn("flex min-w-0 items-start gap-1 rounded py-1.5 pr-1", row.level > 1 && "border-l")}
            onClick={() => {
              setFocusKey(row.key);
              if (row.expandable) toggle(row.key, !open);
            }}
          >
            <span aria-hidden="true" className="w-4 shrink-0 text-center text-slate-500">
              {row.expandable ? (open ? "▾" : "▸") : ""}
            </span>
            <NodeSummary node={row.node} labelId={labelId} />
          </div>
          {open ? <NodeDetails node={row.node} /> : null}
          {open && row.node.children.length > 0 ? (
            <ul role="group" className="ml-2 pl-2 sm:ml-3 sm:pl-3">
              {renderRows(row.key)}
            </ul>
          ) : null}
        </li>
      );
    });

  return (
    <ul role="tree" aria-label={label} className="text-sm">
      {renderRows(null)}
    </ul>
  );
}

/** One object: kind, namespace/name, health with its reason; a Pod's phase, restarts and images. */
function NodeSummary({ node, labelId }: { node: TLiveNode; labelId: string }) {
  return (
    <div className="min-w-0 flex-1 space-y-0.5">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span id={labelId} className="min-w-0 break-all">
          <span className="font-medium text-slate-900">{node.kind}</span>{" "}
          <span className="text-slate-700">{node.namespace ? `${node.namespace}/${node.name}` : node.name}</span>
        </span>
        <HealthBadge status={node.health.status} message={node.health.message} />
        {node.sync ? <SyncBadge sync={node.sync} /> : null}
        {node.omittedChildren ? (
          <span className="text-xs text-slate-500">+{node.omittedChildren} more not shown</span>
        ) : null}
      </div>
      {node.health.message ? <p className="break-words text-xs text-slate-600">{node.health.message}</p> : null}
      {node.pod ? (
        <dl className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-slate-600">
          <div className="flex gap-1">
            <dt>Phase</dt>
            <dd className="font-medium text-slate-800">{node.pod.phase}</dd>
          </div>
          <div className="flex gap-1">
            <dt>Ready</dt>
            <dd className="text-slate-800">
              {node.pod.ready}/{node.pod.containers}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt>Restarts</dt>
            <dd className="text-slate-800">{node.pod.restarts}</dd>
          </div>
          <div className="flex min-w-0 basis-full gap-1">
            <dt>{node.pod.images.length === 1 ? "Image" : "Images"}</dt>
            <dd className="min-w-0 break-all font-mono text-slate-800">{node.pod.images.join(", ") || "—"}</dd>
          </div>
        </dl>
      ) : null}
    </div>
  );
}
