"use client";

import type { ReactNode } from "react";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import type { FieldErrors } from "@/lib/errors";
import type { ApplicationDraft } from "./application-draft";

const RENDER_LABELS: Record<ApplicationDraft["renderKind"], string> = {
  auto: "Auto: Helm for a Chart.yaml, kustomize for a kustomization.yaml, else plain YAML",
  plain: "Plain YAML or JSON files",
  kustomize: "Kustomize (kustomize build)",
  helm: "Helm chart (helm template)",
};

/** The `aria-*` props of an input with help text and maybe errors, so screen readers read both. */
function described(id: string, errors: string[] | undefined) {
  return { id, "aria-describedby": `${id}-help`, "aria-invalid": errors?.length ? true : undefined };
}

function Section({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset className="min-w-0 space-y-4">
      <legend className="mb-2 text-sm font-semibold text-slate-900">{legend}</legend>
      {children}
    </fieldset>
  );
}

function Checkbox(props: {
  id: string;
  label: string;
  hint: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  errors?: string[] | undefined;
}) {
  return (
    <div className="flex items-start gap-2">
      <input
        type="checkbox"
        {...described(props.id, props.errors)}
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        className="mt-1 h-4 w-4 rounded border-slate-300"
      />
      <div className="min-w-0">
        <label htmlFor={props.id} className="text-sm font-medium text-slate-700">
          {props.label}
        </label>
        <div id={`${props.id}-help`}>
          <p className="text-xs text-slate-500">{props.hint}</p>
          {props.errors?.map((e) => (
            <p key={e} className="text-xs text-red-600" role="alert">
              {e}
            </p>
          ))}
        </div>
      </div>
    </div>
  );
}

/**
 * The source, render and sync inputs of an application, shared by the new-application form and the settings form.
 * `mode` is the target's: pull applications are Git only and have self-heal and a drift interval.
 */
export function ApplicationSettingsFields({
  idPrefix,
  draft,
  onChange,
  errors,
  mode,
  sourceKindLocked = false,
}: {
  idPrefix: string;
  draft: ApplicationDraft;
  onChange: (next: ApplicationDraft) => void;
  errors: FieldErrors;
  mode: "push" | "pull" | undefined;
  /** An existing application keeps its kind of source (the API changes its Git settings, not Git ↔ manifests). */
  sourceKindLocked?: boolean;
}) {
  const id = (name: string) => `${idPrefix}-${name}`;
  const set = <K extends keyof ApplicationDraft>(key: K, value: ApplicationDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const git = draft.sourceKind === "git" || mode === "pull";

  return (
    <div className="space-y-6">
      <Section legend="Source">
        {mode !== "pull" && !sourceKindLocked ? (
          <div role="radiogroup" aria-labelledby={id("source-kind-label")} className="space-y-2">
            <p id={id("source-kind-label")} className="text-sm font-medium text-slate-700">
              Where the manifests come from
            </p>
            {(
              [
                ["git", "A Git repository", "Wharf fetches the path at the ref for each deployment."],
                ["manifests", "Manifests sent with each deployment", "Pasted or uploaded on the deployment form."],
              ] as const
            ).map(([kind, label, hint]) => (
              <label key={kind} className="flex items-start gap-2 text-sm">
                <input
                  type="radio"
                  name={id("source-kind")}
                  value={kind}
                  checked={draft.sourceKind === kind}
                  onChange={() => set("sourceKind", kind)}
                  className="mt-1 h-4 w-4"
                />
                <span>
                  <span className="font-medium text-slate-700">{label}</span>
                  <span className="block text-xs text-slate-500">{hint}</span>
                </span>
              </label>
            ))}
            {errors.sourceKind?.map((e) => (
              <p key={e} className="text-xs text-red-600" role="alert">
                {e}
              </p>
            ))}
          </div>
        ) : mode === "pull" ? (
          <p className="text-sm text-slate-600">A pull target&apos;s agent syncs from a Git repository.</p>
        ) : null}
        {git ? (
          <>
            <Field
              htmlFor={id("repo-url")}
              label="Repository URL"
              hint="https://, http://, git:// or file:// (a directory the server allows), without credentials."
              errors={errors.repoUrl}
            >
              <Input
                {...described(id("repo-url"), errors.repoUrl)}
                value={draft.repoUrl}
                onChange={(e) => set("repoUrl", e.target.value)}
                spellCheck={false}
                autoComplete="off"
                inputMode="url"
                placeholder="https://github.com/acme/shop.git"
              />
            </Field>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field htmlFor={id("ref")} label="Branch" hint="The branch Wharf follows." errors={errors.ref}>
                <Input
                  {...described(id("ref"), errors.ref)}
                  value={draft.ref}
                  onChange={(e) => set("ref", e.target.value)}
                  spellCheck={false}
                  autoComplete="off"
                />
              </Field>
              <Field
                htmlFor={id("path")}
                label="Path"
                hint="A folder in the repository; . is the root."
                errors={errors.path}
              >
                <Input
                  {...described(id("path"), errors.path)}
                  value={draft.path}
                  onChange={(e) => set("path", e.target.value)}
                  spellCheck={false}
                  autoComplete="off"
                />
              </Field>
            </div>
          </>
        ) : null}
      </Section>

      {git ? (
        <Section legend="Rendering">
          <Field
            htmlFor={id("render-kind")}
            label="Render as"
            hint="How the folder becomes Kubernetes objects."
            errors={errors.renderKind}
          >
            <Select
              {...described(id("render-kind"), errors.renderKind)}
              value={draft.renderKind}
              onChange={(e) => set("renderKind", e.target.value as ApplicationDraft["renderKind"])}
            >
              {(Object.keys(RENDER_LABELS) as ApplicationDraft["renderKind"][]).map((k) => (
                <option key={k} value={k}>
                  {RENDER_LABELS[k]}
                </option>
              ))}
            </Select>
          </Field>
          {draft.renderKind === "helm" || draft.renderKind === "auto" ? (
            <div className="space-y-4 border-l-2 border-slate-100 pl-4">
              {draft.renderKind === "auto" ? (
                <p className="text-xs text-slate-500">Helm options, used when the folder holds a Chart.yaml.</p>
              ) : null}
              <Field
                htmlFor={id("release-name")}
                label="Release name"
                hint="Optional; by default one derived from the path and repository."
                errors={errors.releaseName}
              >
                <Input
                  {...described(id("release-name"), errors.releaseName)}
                  value={draft.releaseName}
                  onChange={(e) => set("releaseName", e.target.value)}
                  spellCheck={false}
                  autoComplete="off"
                />
              </Field>
              <Field
                htmlFor={id("values-files")}
                label="Values files"
                hint="One per line, relative to the chart folder, applied in order after values.yaml."
                errors={errors.valuesFiles}
              >
                <Textarea
                  {...described(id("values-files"), errors.valuesFiles)}
                  value={draft.valuesFiles}
                  onChange={(e) => set("valuesFiles", e.target.value)}
                  rows={2}
                  spellCheck={false}
                  placeholder="values-prod.yaml"
                  className="text-xs"
                />
              </Field>
              <Field
                htmlFor={id("values")}
                label="Inline values"
                hint="YAML or JSON, applied after the values files."
                errors={errors.values}
              >
                <Textarea
                  {...described(id("values"), errors.values)}
                  value={draft.values}
                  onChange={(e) => set("values", e.target.value)}
                  rows={5}
                  spellCheck={false}
                  placeholder={"replicas: 2\nimage:\n  tag: 1.4.0"}
                  className="text-xs"
                />
              </Field>
              <Field
                htmlFor={id("repositories")}
                label="Chart repositories"
                hint="Optional: where dependencies missing from the chart's charts/ folder may be fetched, one 'name https://url' per line."
                errors={errors.repositories}
              >
                <Textarea
                  {...described(id("repositories"), errors.repositories)}
                  value={draft.repositories}
                  onChange={(e) => set("repositories", e.target.value)}
                  rows={2}
                  spellCheck={false}
                  placeholder="bitnami https://charts.bitnami.com/bitnami"
                  className="text-xs"
                />
              </Field>
            </div>
          ) : null}
        </Section>
      ) : null}

      <Section legend="Sync">
        <Checkbox
          id={id("prune")}
          label="Prune"
          hint="Delete this application's objects that a new revision no longer contains (never another application's)."
          checked={draft.prune}
          onChange={(v) => set("prune", v)}
          errors={errors.prune}
        />
        {mode === "pull" ? (
          <>
            <Checkbox
              id={id("self-heal")}
              label="Self-heal"
              hint="The agent puts objects changed in the cluster back to what Git says."
              checked={draft.selfHeal}
              onChange={(v) => set("selfHeal", v)}
              errors={errors.selfHeal}
            />
            <Field
              htmlFor={id("drift-interval")}
              label="Drift check interval (seconds)"
              hint="From 30 to 86400; blank for the agent's default."
              errors={errors.driftInterval}
            >
              <Input
                {...described(id("drift-interval"), errors.driftInterval)}
                value={draft.driftInterval}
                onChange={(e) => set("driftInterval", e.target.value)}
                inputMode="numeric"
                className="sm:max-w-48"
              />
            </Field>
          </>
        ) : null}
      </Section>
    </div>
  );
}
