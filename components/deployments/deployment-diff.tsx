"use client";

import { useState } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { DeploymentPreview, PreviewAction, PreviewFieldChange } from "@/lib/deployments/schemas";

const ACTION_TONE: Record<PreviewAction, BadgeTone> = {
  create: "green",
  change: "yellow",
  unchanged: "neutral",
  prune: "red",
  error: "red",
};
const COUNT_ORDER: PreviewAction[] = ["create", "change", "unchanged", "prune", "error"];

function show(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

function Change({ change }: { change: PreviewFieldChange }) {
  const multiline = typeof change.old === "object" || typeof change.new === "object";
  return (
    <li className="py-1">
      <span className="font-mono text-xs text-slate-700">{change.path || "(object)"}</span>{" "}
      {multiline ? (
        <div className="mt-1 grid gap-2 md:grid-cols-2">
          {change.old !== undefined ? (
            <pre tabIndex={0} className="overflow-auto rounded bg-red-50 p-2 text-xs text-red-900">
              {show(change.old)}
            </pre>
          ) : (
            <span />
          )}
          {change.new !== undefined ? (
            <pre tabIndex={0} className="overflow-auto rounded bg-emerald-50 p-2 text-xs text-emerald-900">
              {show(change.new)}
            </pre>
          ) : null}
        </div>
      ) : (
        <span className="font-mono text-xs">
          {change.old !== undefined ? (
            <span className="rounded bg-red-50 px-1 text-red-900 line-through">{show(change.old)}</span>
          ) : null}
          {change.old !== undefined && change.new !== undefined ? " → " : null}
          {change.new !== undefined ? (
            <span className="rounded bg-emerald-50 px-1 text-emerald-900">{show(change.new)}</span>
          ) : null}
        </span>
      )}
    </li>
  );
}

/** The preview's counts and, per object, a collapsible list of field changes (path, old → new). */
export function DeploymentDiff({ preview }: { preview: DeploymentPreview }) {
  const [open, setOpen] = useState<Set<number>>(
    () => new Set(preview.objects.flatMap((o, i) => (o.action === "change" || o.action === "error" ? [i] : []))),
  );
  return (
    <div className="space-y-3">
      <p className="flex flex-wrap gap-2 text-sm" data-testid="preview-counts">
        {COUNT_ORDER.filter((a) => a !== "error" || preview.counts.error > 0).map((a) => (
          <Badge key={a} tone={preview.counts[a] > 0 ? ACTION_TONE[a] : "neutral"}>
            {preview.counts[a]} {a}
          </Badge>
        ))}
      </p>
      <ul className="divide-y divide-slate-100 rounded-md border border-slate-200">
        {preview.objects.map((o, i) => {
          const expanded = open.has(i);
          return (
            <li key={`${o.kind}/${o.namespace ?? ""}/${o.name}/${i}`}>
              <button
                type="button"
                aria-expanded={expanded}
                onClick={() =>
                  setOpen((s) => {
                    const next = new Set(s);
                    if (next.has(i)) next.delete(i);
                    else next.add(i);
                    return next;
                  })
                }
                className="flex w-full flex-wrap items-center gap-x-2 gap-y-1 px-3 py-2 text-left text-sm hover:bg-slate-50"
              >
                <span className="w-3 text-slate-500">{expanded ? "▾" : "▸"}</span>
                <Badge tone={ACTION_TONE[o.action]}>{o.action}</Badge>
                <span className="font-medium">{o.kind}</span>
                <span className="min-w-0 font-mono break-all">{o.name}</span>
                {o.namespace ? <span className="text-xs text-slate-500">in {o.namespace}</span> : null}
                {o.changes.length ? (
                  <span className="ml-auto text-xs text-slate-500">
                    {o.changes.length} field{o.changes.length === 1 ? "" : "s"}
                  </span>
                ) : null}
              </button>
              {expanded ? (
                <div className="border-t border-slate-100 px-8 py-2">
                  {o.message ? (
                    <p className={`text-sm ${o.action === "error" ? "text-red-700" : "text-slate-600"}`}>{o.message}</p>
                  ) : null}
                  {o.changes.length ? (
                    <ul className="divide-y divide-slate-50">
                      {o.changes.map((c) => (
                        <Change key={c.path} change={c} />
                      ))}
                    </ul>
                  ) : o.message ? null : (
                    <p className="text-sm text-slate-500">No field changes.</p>
                  )}
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
