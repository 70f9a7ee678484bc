"use client";

import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import {
  POLL_INTERVAL_DEFAULT_SECONDS,
  POLL_INTERVAL_MIN_SECONDS,
  type TImagePolicyInput,
  type TImagePolicyTarget,
} from "@/lib/agent/protocol";
import type { ApiError } from "@/lib/api-fetch";
import type { TRegisterRepoInput } from "@/lib/repos/schemas";

interface PolicyDraft {
  key: number;
  name: string;
  repository: string;
  rule: "semver" | "tagPattern";
  value: string;
  order: "numeric" | "alphabetical";
  targets: string;
}

/** "Deployment/web:app, StatefulSet/db" → targets; each part is `[Kind/]name[:container]`, or `:container`. */
export function parseImageTargets(text: string): TImagePolicyTarget[] {
  return text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((part) => {
      const [objectPart = "", container] = part.split(":");
      const [a, b] = objectPart.split("/");
      const target: TImagePolicyTarget = {};
      if (b !== undefined) {
        if (a) target.kind = a;
        if (b) target.name = b;
      } else if (a) target.name = a;
      if (container) target.container = container;
      return target;
    });
}

function toPolicy(d: PolicyDraft): TImagePolicyInput {
  return {
    name: d.name,
    repository: d.repository,
    ...(d.rule === "semver" ? { semver: d.value } : { tagPattern: d.value, order: d.order }),
    targets: parseImageTargets(d.targets),
  };
}

/**
 * The "Register repository" form: Git URL, branch, path, poll interval, prune, self-heal, and image policies. Plain
 * form controls in reading order, so it works from the keyboard; server-side field errors show next to each input.
 */
export function RegisterRepoForm({
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  pending: boolean;
  error: ApiError | null;
  onSubmit: (input: TRegisterRepoInput) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [url, setUrl] = useState("");
  const [branch, setBranch] = useState("main");
  const [path, setPath] = useState(".");
  const [pollInterval, setPollInterval] = useState(String(POLL_INTERVAL_DEFAULT_SECONDS));
  const [prune, setPrune] = useState(true);
  const [selfHeal, setSelfHeal] = useState(true);
  const [policies, setPolicies] = useState<PolicyDraft[]>([]);
  const [nextKey, setNextKey] = useState(1);
  const fields = error?.fields ?? {};
  const err = (key: string) => fields[key];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({
      url,
      branch,
      path,
      pollIntervalSeconds: Number(pollInterval),
      prune,
      selfHeal,
      imagePolicies: policies.map(toPolicy),
    });
  };
  const update = (key: number, patch: Partial<PolicyDraft>) =>
    setPolicies((list) => list.map((p) => (p.key === key ? { ...p, ...patch } : p)));

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Register repository" noValidate>
      <Field
        htmlFor={`${id}-url`}
        label="Git repository URL"
        hint={
          <>
            https://, ssh:// or git@host:org/repo. Credentials for private repositories stay in the cluster (a Secret
            the agent reads). file:///path works only for a directory on the agent&apos;s own machine inside one of the
            directories its WHARF_GIT_LOCAL_ROOTS lists (none by default); any other file:// URL fails to sync.
          </>
        }
        errors={err("url")}
      >
        <Input
          id={`${id}-url`}
          name="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://git.example.com/team/app.git"
          aria-describedby={`${id}-url-help`}
          aria-invalid={!!err("url")}
          required
          autoComplete="off"
        />
      </Field>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field htmlFor={`${id}-branch`} label="Branch" errors={err("branch")}>
          <Input
            id={`${id}-branch`}
            name="branch"
            value={branch}
            onChange={(e) => setBranch(e.target.value)}
            aria-describedby={`${id}-branch-help`}
            aria-invalid={!!err("branch")}
          />
        </Field>
        <Field
          htmlFor={`${id}-path`}
          label="Path"
          hint="Folder with the manifests; . is the root."
          errors={err("path")}
        >
          <Input
            id={`${id}-path`}
            name="path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            aria-describedby={`${id}-path-help`}
            aria-invalid={!!err("path")}
          />
        </Field>
        <Field
          htmlFor={`${id}-interval`}
          label="Poll interval (seconds)"
          hint={`At least ${POLL_INTERVAL_MIN_SECONDS}. Push webhooks sync at once anyway.`}
          errors={err("pollIntervalSeconds")}
        >
          <Input
            id={`${id}-interval`}
            name="pollIntervalSeconds"
            type="number"
            min={POLL_INTERVAL_MIN_SECONDS}
            step={1}
            value={pollInterval}
            onChange={(e) => setPollInterval(e.target.value)}
            aria-describedby={`${id}-interval-help`}
            aria-invalid={!!err("pollIntervalSeconds")}
          />
        </Field>
      </div>
      <fieldset className="flex flex-wrap gap-6 text-sm">
        <legend className="sr-only">Sync options</legend>
        <label className="inline-flex items-center gap-2">
          <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} /> Prune (delete objects
          removed from the repository)
        </label>
        <label className="inline-flex items-center gap-2">
          <input type="checkbox" checked={selfHeal} onChange={(e) => setSelfHeal(e.target.checked)} /> Self-heal
          (correct drift)
        </label>
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-slate-700">Image policies</legend>
        <p className="text-xs text-slate-500">
          Optional: the agent watches a registry repository and sets the newest allowed tag on the matching containers.
        </p>
        {err("imagePolicies")?.map((m) => (
          <p key={m} role="alert" className="text-xs text-red-600">
            {m}
          </p>
        ))}
        {policies.map((p, i) => (
          <div
            key={p.key}
            className="space-y-3 rounded border border-slate-200 p-3"
            role="group"
            aria-label={`Image policy ${i + 1}`}
          >
            <div className="grid gap-3 sm:grid-cols-2">
              <Field htmlFor={`${id}-p${p.key}-name`} label="Name" errors={err(`imagePolicies.${i}.name`)}>
                <Input
                  id={`${id}-p${p.key}-name`}
                  value={p.name}
                  onChange={(e) => update(p.key, { name: e.target.value })}
                  placeholder="app"
                  aria-describedby={`${id}-p${p.key}-name-help`}
                  aria-invalid={!!err(`imagePolicies.${i}.name`)}
                />
              </Field>
              <Field
                htmlFor={`${id}-p${p.key}-repo`}
                label="Image repository"
                errors={err(`imagePolicies.${i}.repository`)}
              >
                <Input
                  id={`${id}-p${p.key}-repo`}
                  value={p.repository}
                  onChange={(e) => update(p.key, { repository: e.target.value })}
                  placeholder="127.0.0.1:5000/team/app"
                  aria-describedby={`${id}-p${p.key}-repo-help`}
                  aria-invalid={!!err(`imagePolicies.${i}.repository`)}
                />
              </Field>
              <Field htmlFor={`${id}-p${p.key}-rule`} label="Allowed tags">
                <Select
                  id={`${id}-p${p.key}-rule`}
                  value={p.rule}
                  onChange={(e) => update(p.key, { rule: e.target.value as PolicyDraft["rule"] })}
                >
                  <option value="semver">Semver range</option>
                  <option value="tagPattern">Tag pattern (regular expression)</option>
                </Select>
              </Field>
              <Field
                htmlFor={`${id}-p${p.key}-value`}
                label={p.rule === "semver" ? "Range" : "Pattern"}
                errors={err(`imagePolicies.${i}.${p.rule}`) ?? err(`imagePolicies.${i}.semver`)}
              >
                <Input
                  id={`${id}-p${p.key}-value`}
                  value={p.value}
                  onChange={(e) => update(p.key, { value: e.target.value })}
                  placeholder={p.rule === "semver" ? "^1" : "^main-(\\d+)$"}
                  aria-describedby={`${id}-p${p.key}-value-help`}
                />
              </Field>
              {p.rule === "tagPattern" ? (
                <Field htmlFor={`${id}-p${p.key}-order`} label="Newest by">
                  <Select
                    id={`${id}-p${p.key}-order`}
                    value={p.order}
                    onChange={(e) => update(p.key, { order: e.target.value as PolicyDraft["order"] })}
                  >
                    <option value="numeric">Numeric order</option>
                    <option value="alphabetical">Alphabetical order</option>
                  </Select>
                </Field>
              ) : null}
              <Field
                htmlFor={`${id}-p${p.key}-targets`}
                label="Containers"
                hint="Optional, comma-separated: Deployment/web:app, :sidecar. Empty: every container using this image."
              >
                <Input
                  id={`${id}-p${p.key}-targets`}
                  value={p.targets}
                  onChange={(e) => update(p.key, { targets: e.target.value })}
                  aria-describedby={`${id}-p${p.key}-targets-help`}
                />
              </Field>
            </div>
            <Button
              type="button"
              variant="ghost"
              size="sm"
              onClick={() => setPolicies((list) => list.filter((x) => x.key !== p.key))}
            >
              Remove policy {i + 1}
            </Button>
          </div>
        ))}
        <Button
          type="button"
          variant="secondary"
          size="sm"
          onClick={() => {
            setPolicies((list) => [
              ...list,
              { key: nextKey, name: "", repository: "", rule: "semver", value: "", order: "numeric", targets: "" },
            ]);
            setNextKey((k) => k + 1);
          }}
        >
          Add image policy
        </Button>
      </fieldset>

      {error && Object.keys(fields).length === 0 ? (
        <p role="alert" className="text-sm text-red-700">
          {error.message}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Registering…" : "Register repository"}
        </Button>
        {onCancel ? (
          <Button type="button" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
