"use client";

import { useState, useSyncExternalStore, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import type { AuditListFilter } from "@/lib/audit/query";
import { AUDIT_ACTIONS, OUTCOMES, type TAuditAction, type TOutcome } from "@/lib/audit/schemas";

const noop = () => () => undefined;

/** True after hydration. Local times depend on the browser's time zone, so they are not rendered on the server. */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

/** An ISO instant as a `datetime-local` value in the browser's zone. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** A `datetime-local` value (browser's zone) as an ISO instant, so the server never guesses the zone. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const label = "block text-xs font-medium text-slate-600";

/** Actor, action, outcome, subject and time range; applied on submit so typing does not fire a query per key. */
export function AuditFilterBar({ value, onApply }: { value: AuditListFilter; onApply: (filter: AuditListFilter) => void }) {
  const [draft, setDraft] = useState<AuditListFilter>(value);
  const isClient = useIsClient();
  const set = (patch: Partial<AuditListFilter>) => setDraft((d) => ({ ...d, ...patch }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const clean: AuditListFilter = {};
    for (const [k, v] of Object.entries(draft)) if (typeof v === "string" && v.trim() !== "") Object.assign(clean, { [k]: v.trim() });
    onApply(clean);
  }

  return (
    <form onSubmit={submit} className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7" aria-label="Filter audit events">
      <div className="space-y-1">
        <label htmlFor="audit-actor" className={label}>
          Actor
        </label>
        <Input id="audit-actor" placeholder="name, email or id" value={draft.actor ?? ""} onChange={(e) => set({ actor: e.target.value })} />
      </div>
      <div className="space-y-1">
        <label htmlFor="audit-action" className={label}>
          Action
        </label>
        <Select id="audit-action" value={draft.action ?? ""} onChange={(e) => set({ action: (e.target.value || undefined) as TAuditAction | undefined })}>
          <option value="">Any action</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1">
        <label htmlFor="audit-outcome" className={label}>
          Outcome
        </label>
        <Select id="audit-outcome" value={draft.outcome ?? ""} onChange={(e) => set({ outcome: (e.target.value || undefined) as TOutcome | undefined })}>
          <option value="">Any outcome</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1">
        <label htmlFor="audit-subject" className={label}>
          Subject id
        </label>
        <Input id="audit-subject" placeholder="user, target or credential id" value={draft.subject ?? ""} onChange={(e) => set({ subject: e.target.value })} />
      </div>
      <div className="space-y-1">
        <label htmlFor="audit-from" className={label}>
          From
        </label>
        <Input id="audit-from" type="datetime-local" value={isClient ? isoToLocalInput(draft.from) : ""} onChange={(e) => set({ from: localInputToIso(e.target.value) })} />
      </div>
      <div className="space-y-1">
        <label htmlFor="audit-to" className={label}>
          To
        </label>
        <Input id="audit-to" type="datetime-local" value={isClient ? isoToLocalInput(draft.to) : ""} onChange={(e) => set({ to: localInputToIso(e.target.value) })} />
      </div>
      <div className="flex items-end gap-2">
        <Button type="submit">Apply</Button>
        <Button
          variant="ghost"
          onClick={() => {
            setDraft({});
            onApply({});
          }}
        >
          Reset
        </Button>
      </div>
    </form>
  );
}
