"use client";

import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { ApiError } from "@/lib/api-fetch";
import { useImportKubeconfig, usePreviewKubeconfig } from "@/lib/credentials/hooks/use-import-kubeconfig";
import {
  CREDENTIAL_KIND_LABELS,
  type ImportResult,
  type KubeconfigContextPreview,
  type TImportContext,
} from "@/lib/credentials/schemas";
import { formatDateTime } from "@/lib/format/date";

interface Choice {
  selected: boolean;
  name: string;
  environment: string;
  mode: "push" | "pull";
}

function initialChoice(c: KubeconfigContextPreview): Choice {
  const guess = /prod/i.test(c.context) ? "prod" : /stag/i.test(c.context) ? "staging" : "dev";
  return { selected: c.problems.length === 0 && !c.nameTaken, name: c.suggestedName, environment: guess, mode: "push" };
}

function ContextRow(props: {
  c: KubeconfigContextPreview;
  index: number;
  choice: Choice;
  errors: Record<string, string[]>;
  onChange: (next: Choice) => void;
  disabled: boolean;
}) {
  const { c, index, choice } = props;
  const id = useId();
  const blocked = c.problems.length > 0;
  const err = (k: string) => [...(props.errors[`contexts.${index}.${k}`] ?? [])];
  const set = (patch: Partial<Choice>) => props.onChange({ ...choice, ...patch });
  return (
    <li className="rounded-md border border-slate-200 p-4" aria-label={`Context ${c.context}`}>
      <div className="flex flex-wrap items-start gap-3">
        <input
          id={`${id}-select`}
          type="checkbox"
          className="mt-1 h-4 w-4"
          checked={choice.selected}
          disabled={blocked || props.disabled}
          onChange={(e) => set({ selected: e.target.checked })}
        />
        <div className="min-w-0 flex-1">
          <label htmlFor={`${id}-select`} className="font-mono text-sm font-semibold text-slate-900">
            {c.context}
          </label>
          {c.isCurrent ? <Badge className="ml-2">current</Badge> : null}
          <p className="mt-0.5 break-all text-xs text-slate-500">
            {c.server ?? "no server"} · namespace {c.namespace} ·{" "}
            {c.hasCaBundle ? "CA bundle" : c.insecureSkipTlsVerify ? "TLS verification off" : "system CAs"}
          </p>
          <p className="mt-1 text-xs">
            {choice.mode === "pull" ? (
              <span className="text-slate-500">
                Pull target: no credential is imported (the in-cluster agent syncs it).
              </span>
            ) : c.credential ? (
              <span className="text-emerald-700">
                Will import a {CREDENTIAL_KIND_LABELS[c.credential.kind].toLowerCase()} (fingerprint{" "}
                <code>{c.credential.fingerprint}</code>
                {c.credential.expiresAt ? `, expires ${formatDateTime(c.credential.expiresAt)}` : ""}), labelled “
                {c.credential.label}”.
                {c.clusterAdmin ? (
                  <span
                    role="alert"
                    className="mt-1 block font-medium text-red-700"
                    data-testid="cluster-admin-warning"
                  >
                    Warning: this credential can do anything in the cluster; prefer a namespaced service account.
                  </span>
                ) : c.scopeCheckError ? (
                  <span className="mt-1 block text-amber-700">
                    Could not check what this credential may do ({c.scopeCheckError}).
                  </span>
                ) : null}
              </span>
            ) : (
              <span className="text-amber-700">
                {c.credentialNote ?? "No importable credential."} You can store one later.
              </span>
            )}
          </p>
          {[...c.problems, ...err("context")].map((p) => (
            <p key={p} role="alert" className="mt-1 text-xs text-red-600">
              {p}
            </p>
          ))}
        </div>
      </div>
      {choice.selected ? (
        <div className="mt-3 grid gap-3 sm:grid-cols-3">
          <Field
            htmlFor={`${id}-name`}
            label="Target name"
            errors={[
              ...err("name"),
              ...(c.nameTaken && choice.name === c.suggestedName
                ? ["A target with this name exists; choose another."]
                : []),
            ]}
          >
            <Input
              id={`${id}-name`}
              value={choice.name}
              disabled={props.disabled}
              onChange={(e) => set({ name: e.target.value })}
              aria-invalid={err("name").length > 0}
              aria-describedby={`${id}-name-help`}
            />
          </Field>
          <Field htmlFor={`${id}-env`} label="Environment" errors={err("environment")}>
            <Input
              id={`${id}-env`}
              value={choice.environment}
              disabled={props.disabled}
              onChange={(e) => set({ environment: e.target.value })}
              aria-invalid={err("environment").length > 0}
              aria-describedby={`${id}-env-help`}
            />
          </Field>
          <Field htmlFor={`${id}-mode`} label="Mode" errors={err("mode")}>
            <Select
              id={`${id}-mode`}
              value={choice.mode}
              disabled={props.disabled}
              onChange={(e) => set({ mode: e.target.value as Choice["mode"] })}
            >
              <option value="push">push — Wharf applies</option>
              <option value="pull">pull — agent syncs</option>
            </Select>
          </Field>
        </div>
      ) : null}
    </li>
  );
}

/**
 * Paste a kubeconfig, preview its contexts (no secrets come back), pick and adjust, import. The kubeconfig text is
 * kept only in this component's state and dropped once the import succeeds.
 */
export function ImportWizard() {
  const id = useId();
  const preview = usePreviewKubeconfig();
  const importer = useImportKubeconfig();
  const [kubeconfig, setKubeconfig] = useState("");
  const [choices, setChoices] = useState<Choice[]>([]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const contexts = preview.data?.contexts ?? [];

  async function onPreview(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setMessage(null);
    try {
      const res = await preview.mutateAsync(kubeconfig);
      setChoices(res.contexts.map(initialChoice));
    } catch (err) {
      setChoices([]);
      if (err instanceof ApiError) {
        setErrors(err.fields);
        setMessage(err.message);
      } else setMessage("The preview failed.");
    }
  }

  async function onImport() {
    setErrors({});
    setMessage(null);
    // Indexes in field errors refer to the submitted list, so keep the mapping back to the preview rows.
    const picked = contexts.map((c, i) => ({ c, choice: choices[i], i })).filter((x) => x.choice?.selected);
    const selections: TImportContext[] = picked.map(({ c, choice }) => ({
      context: c.context,
      name: choice?.name.trim() || undefined,
      environment: choice?.environment ?? "",
      mode: choice?.mode ?? "push",
    }));
    try {
      const res = await importer.mutateAsync({ kubeconfig, contexts: selections });
      setResult(res);
      setKubeconfig("");
      setChoices([]);
      preview.reset();
    } catch (err) {
      if (err instanceof ApiError) {
        const remapped: Record<string, string[]> = {};
        for (const [key, list] of Object.entries(err.fields)) {
          const m = /^contexts\.(\d+)\.(.+)$/.exec(key);
          const row = m ? picked[Number(m[1])]?.i : undefined;
          remapped[row !== undefined && m ? `contexts.${row}.${m[2]}` : key] = list;
        }
        setErrors(remapped);
        setMessage(err.message);
      } else setMessage("The import failed.");
    }
  }

  if (result) {
    return (
      <Card>
        <CardHeader title="Imported" description={`${result.targets.length} target(s) created.`} />
        <CardBody>
          <ul className="space-y-1 text-sm" aria-label="Imported targets">
            {result.targets.map((t) => (
              <li key={t.id}>
                <Link href={`/targets/${t.id}`} className="font-medium text-brand-700 hover:underline">
                  {t.name}
                </Link>{" "}
                <span className="text-slate-500">
                  ({t.mode}, {t.environment}
                  {t.mode === "push" ? (t.credentialId ? ", credential stored" : ", no credential yet") : ""})
                </span>
              </li>
            ))}
          </ul>
          <div className="mt-4 flex gap-2">
            <Button asChild>
              <Link href="/targets">Go to targets</Link>
            </Button>
            <Button variant="secondary" onClick={() => setResult(null)}>
              Import more
            </Button>
          </div>
        </CardBody>
      </Card>
    );
  }

  const selectedCount = choices.filter((c) => c.selected).length;
  return (
    <div className="space-y-6">
      <Card>
        <CardBody>
          <form onSubmit={(e) => void onPreview(e)} className="space-y-3" noValidate>
            <Field
              htmlFor={`${id}-kubeconfig`}
              label="Kubeconfig"
              hint="Paste the output of `kubectl config view --raw --flatten`. Secrets stay on the server and are encrypted; the preview never shows them."
              errors={errors.kubeconfig}
            >
              <Textarea
                id={`${id}-kubeconfig`}
                rows={10}
                value={kubeconfig}
                onChange={(e) => setKubeconfig(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={!!errors.kubeconfig?.length}
                aria-describedby={`${id}-kubeconfig-help`}
              />
            </Field>
            <div className="flex justify-end">
              <Button type="submit" disabled={!kubeconfig.trim() || preview.isPending} aria-busy={preview.isPending}>
                {preview.isPending ? "Reading…" : "Preview contexts"}
              </Button>
            </div>
          </form>
        </CardBody>
      </Card>

      {message ? (
        <p role="alert" className="text-sm text-red-600">
          {message}
        </p>
      ) : null}

      {contexts.length > 0 ? (
        <Card>
          <CardHeader title="Contexts" description="Pick the contexts to import; each becomes one target." />
          <CardBody className="space-y-4">
            <ul className="space-y-3">
              {contexts.map((c, i) => (
                <ContextRow
                  key={c.context}
                  c={c}
                  index={i}
                  choice={choices[i] ?? initialChoice(c)}
                  errors={errors}
                  disabled={importer.isPending}
                  onChange={(next) => setChoices((all) => all.map((x, j) => (j === i ? next : x)))}
                />
              ))}
            </ul>
            <div className="flex justify-end">
              <Button
                onClick={() => void onImport()}
                disabled={selectedCount === 0 || importer.isPending}
                aria-busy={importer.isPending}
              >
                {importer.isPending ? "Importing…" : `Import ${selectedCount} target${selectedCount === 1 ? "" : "s"}`}
              </Button>
            </div>
          </CardBody>
        </Card>
      ) : null}
    </div>
  );
}
