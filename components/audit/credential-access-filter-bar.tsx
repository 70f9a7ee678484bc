"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { CREDENTIAL_ACCESS_ACTIONS, type CredentialAccessListFilter } from "@/lib/audit/credential-access";
import { OUTCOMES, type TAuditAction, type TOutcome } from "@/lib/audit/schemas";
import { isoToLocalInput, localInputToIso, useIsClient } from "./audit-filter-bar";

const label = "block text-xs font-medium text-slate-600";

/** Credential, target, actor, action, outcome and time range; applied on submit so typing does not query per key. */
export function CredentialAccessFilterBar({ value, onApply }: { value: CredentialAccessListFilter; onApply: (filter: CredentialAccessListFilter) => void }) {
  const [draft, setDraft] = useState<CredentialAccessListFilter>(value);
  const isClient = useIsClient();
  const set = (patch: Partial<CredentialAccessListFilter>) => setDraft((d) => ({ ...d, ...patch }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const clean: CredentialAccessListFilter = {};
    for (const [k, v] of Object.entries(draft)) if (typeof v === "string" && v.trim() !== "") Object.assign(clean, { [k]: v.trim() });
    onApply(clean);
  }

  return (
    <form onSubmit={submit} className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-8" aria-label="Filter credential access">
      <div className="space-y-1">
        <label htmlFor="access-credential" className={label}>
          Credential id
        </label>
        <Input id="access-credential" placeholder="credential id" value={draft.credentialId ?? ""} onChange={(e) => set({ credentialId: e.target.value })} />
      </div>
      <div className="space-y-1">
        <label htmlFor="access-target" className={label}>
          Target id
        </label>
        <Input id="access-target" placeholder="target id" value={draft.targetId ?? ""} onChange={(e) => set({ targetId: e.target.value })} />
      </div>
      <div className="space-y-1">
        <label htmlFor="access-actor" className={label}>
          Actor
        </label>
        <Input id="access-actor" placeholder="name, email or id" value={draft.actor ?? ""} onChange={(e) => set({ actor: e.target.value })} />
      </div>
      <div className="space-y-1">
        <label htmlFor="access-action" className={label}>
          Action
        </label>
        <Select id="access-action" value={draft.action ?? ""} onChange={(e) => set({ action: (e.target.value || undefined) as TAuditAction | undefined })}>
          <option value="">Any action</option>
          {CREDENTIAL_ACCESS_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1">
        <label htmlFor="access-outcome" className={label}>
          Outcome
        </label>
        <Select id="access-outcome" value={draft.outcome ?? ""} onChange={(e) => set({ outcome: (e.target.value || undefined) as TOutcome | undefined })}>
          <option value="">Any outcome</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1">
        <label htmlFor="access-from" className={label}>
          From
        </label>
        <Input id="access-from" type="datetime-local" value={isClient ? isoToLocalInput(draft.from) : ""} onChange={(e) => set({ from: localInputToIso(e.target.value) })} />
      </div>
      <div className="space-y-1">
        <label htmlFor="access-to" className={label}>
          To
        </label>
        <Input id="access-to" type="datetime-local" value={isClient ? isoToLocalInput(draft.to) : ""} onChange={(e) => set({ to: localInputToIso(e.target.value) })} />
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
