"use client";

import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Combobox } from "@/components/ui/combobox";
import { Input, Select } from "@/components/ui/input";
import { useAuditNames } from "@/lib/audit/hooks/use-audit-names";
import type { TAuditNameKind } from "@/lib/audit/names";
import { cn } from "@/lib/utils";

/**
 * An ISO instant as a `datetime-local` value read in UTC: the dashboard shows every date in UTC (lib/format/date.ts),
 * so the filter's fields take the same clock as the times in the rows they filter, whatever the browser's zone.
 */
export function isoToUtcInput(iso: string | undefined): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "" : new Date(t).toISOString().slice(0, 16);
}

/** A `datetime-local` value, read as UTC, as an ISO instant. */
export function utcInputToIso(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return undefined;
  const t = Date.parse(`${value}Z`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * One control of a filter form: free text, a name with suggestions (of the names audit rows carry), a choice from a
 * closed list ("any" first), or a date-time in UTC (its label says so).
 */
export type FilterField<K extends string> =
  | { key: K; label: string; kind: "text"; placeholder: string }
  | { key: K; label: string; kind: "name"; names: TAuditNameKind; placeholder: string }
  | { key: K; label: string; kind: "select"; any: string; options: readonly string[] }
  | { key: K; label: string; kind: "instant" };

const labelClass = "block text-xs font-medium text-slate-600";

const NAME_NOUNS: Record<TAuditNameKind, string> = {
  target: "targets",
  application: "applications",
  credential: "credentials",
  user: "users",
};

/** A name field: a combobox whose suggestions are the names of that kind the audit rows carry. */
function NameField({
  id,
  kind,
  value,
  onChange,
  placeholder,
}: {
  id: string;
  kind: TAuditNameKind;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
}) {
  const [touched, setTouched] = useState(false);
  const names = useAuditNames(kind, value, touched);
  const typed = value.trim();
  return (
    <div onFocus={() => setTouched(true)}>
      <Combobox
        id={id}
        value={value}
        onChange={onChange}
        options={names.data?.items ?? []}
        loading={names.isPending}
        placeholder={placeholder}
        emptyText={
          names.isError
            ? "Suggestions could not be loaded."
            : typed
              ? `No ${NAME_NOUNS[kind]} with audit events start with '${typed}'`
              : `No ${NAME_NOUNS[kind]} have audit events yet`
        }
      />
    </div>
  );
}

/**
 * A filter form of string fields (the audit trail's, credential access'), applied on submit so typing does not fire
 * a query per key; Reset clears and applies at once. Values are trimmed and empty ones dropped before `onApply`.
 */
export function FilterForm<F extends Partial<Record<K, string>>, K extends string>({
  fields,
  value,
  onApply,
  label,
  className,
}: {
  fields: readonly FilterField<K>[];
  value: F;
  onApply: (filter: F) => void;
  label: string;
  className?: string;
}) {
  const idPrefix = useId();
  const [draft, setDraft] = useState<Partial<Record<K, string>>>(value);
  const set = (key: K, v: string | undefined) => setDraft((d) => ({ ...d, [key]: v }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const clean: Partial<Record<K, string>> = {};
    for (const field of fields) {
      const v = draft[field.key]?.trim();
      if (v) clean[field.key] = v;
    }
    onApply(clean as F);
  }

  return (
    <form onSubmit={submit} className={cn("grid grid-cols-2 gap-3 md:grid-cols-4", className)} aria-label={label}>
      {fields.map((field) => {
        const id = `${idPrefix}-${field.key}`;
        const current = draft[field.key] ?? "";
        return (
          <div key={field.key} className="space-y-1">
            <label htmlFor={id} className={labelClass}>
              {field.label}
              {field.kind === "instant" ? " (UTC)" : ""}
            </label>
            {field.kind === "name" ? (
              <NameField
                id={id}
                kind={field.names}
                value={current}
                onChange={(v) => set(field.key, v)}
                placeholder={field.placeholder}
              />
            ) : field.kind === "text" ? (
              <Input
                id={id}
                placeholder={field.placeholder}
                value={current}
                onChange={(e) => set(field.key, e.target.value)}
              />
            ) : field.kind === "select" ? (
              <Select id={id} value={current} onChange={(e) => set(field.key, e.target.value || undefined)}>
                <option value="">{field.any}</option>
                {field.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </Select>
            ) : (
              <Input
                id={id}
                type="datetime-local"
                value={isoToUtcInput(current || undefined)}
                onChange={(e) => set(field.key, utcInputToIso(e.target.value))}
              />
            )}
          </div>
        );
      })}
      <div className="flex items-end gap-2">
        <Button type="submit">Apply</Button>
        <Button
          variant="ghost"
          onClick={() => {
            setDraft({});
            onApply({} as F);
          }}
        >
          Reset
        </Button>
      </div>
    </form>
  );
}
