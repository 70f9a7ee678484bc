"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { Field, FormAlert } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { TabList } from "@/components/ui/tabs";
import { useRequestDeployment } from "@/lib/deployments/hooks/use-request-deployment";
import { MANIFESTS_MAX_CHARS, type TCreateDeploymentInput } from "@/lib/deployments/schemas";
import type { FieldErrors } from "@/lib/errors";

type Tab = "paste" | "upload" | "git";

const TABS: { id: Tab; label: string }[] = [
  { id: "paste", label: "Paste YAML" },
  { id: "upload", label: "Upload file" },
  { id: "git", label: "Git repository" },
];

/**
 * Requests a deployment to one push target from pasted or uploaded manifests or a Git repository path. The server
 * validates everything against the target's rules; every problem comes back and is shown next to its input
 * ("document 2, line 14: …").
 */
export function NewDeploymentForm({
  target,
}: {
  target: {
    id: string;
    name: string;
    defaultNamespace: string;
    allowedNamespaces: string[];
    allowClusterScoped: boolean;
  };
}) {
  const router = useRouter();
  const request = useRequestDeployment();
  const [tab, setTab] = useState<Tab>("paste");
  const [manifests, setManifests] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [git, setGit] = useState({ url: "", ref: "main", path: "." });
  const [reason, setReason] = useState("");
  const [fields, setFields] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);

  async function onFile(file: File | undefined) {
    setFields({});
    if (!file) return;
    if (file.size > MANIFESTS_MAX_CHARS) {
      setFields({ manifests: ["The file is larger than 1.5 MB."] });
      return;
    }
    setFileName(file.name);
    setManifests(await file.text());
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (request.isPending) return;
    const input: TCreateDeploymentInput = {
      targetId: target.id,
      source:
        tab === "git" ? { kind: "git", url: git.url, ref: git.ref, path: git.path } : { kind: "manifests", manifests },
      reason,
    };
    setFields({});
    setError(null);
    try {
      const created = await request.mutateAsync(input);
      router.push(`/deployments/${created.id}`);
    } catch (err) {
      const apiErr = err as { message?: string; fields?: FieldErrors };
      const next: FieldErrors = {};
      for (const [key, messages] of Object.entries(apiErr.fields ?? {})) {
        // "source.manifests" (schema) and "manifests" (validation) both belong to the manifests input.
        const field = key === "source.manifests" ? "manifests" : key;
        (next[field] ??= []).push(...messages);
      }
      setFields(next);
      setError(apiErr.message ?? "The request failed. Try again.");
    }
  }

  const namespaces = target.allowedNamespaces.length ? target.allowedNamespaces : [target.defaultNamespace];
  const manifestErrors = fields.manifests;

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="space-y-6">
      <FormAlert error={error} />
      <Card>
        <CardBody className="space-y-4">
          <p className="text-sm text-slate-600">
            Objects may go to{" "}
            {namespaces.map((n) => (
              <code key={n} className="mx-0.5 rounded bg-slate-100 px-1">
                {n}
              </code>
            ))}{" "}
            (objects without a namespace go to{" "}
            <code className="rounded bg-slate-100 px-1">{target.defaultNamespace}</code>); cluster-scoped objects are{" "}
            {target.allowClusterScoped ? "allowed" : "not allowed"}.
          </p>
          <TabList
            label="Source"
            idPrefix="source"
            tabs={TABS}
            value={tab}
            onChange={(next) => {
              setTab(next);
              setFields({});
            }}
          />

          {tab === "paste" ? (
            <div role="tabpanel" id="source-panel-paste" aria-labelledby="source-tab-paste">
              <Field
                htmlFor="deploy-manifests"
                label="Manifests"
                hint="Multi-document YAML or JSON."
                errors={manifestErrors}
              >
                <Textarea
                  id="deploy-manifests"
                  name="manifests"
                  value={manifests}
                  onChange={(e) => setManifests(e.target.value)}
                  rows={16}
                  spellCheck={false}
                  className="font-mono text-xs"
                  placeholder={"apiVersion: apps/v1\nkind: Deployment\n…"}
                  aria-describedby="deploy-manifests-help"
                  aria-invalid={manifestErrors?.length ? true : undefined}
                />
              </Field>
            </div>
          ) : null}

          {tab === "upload" ? (
            <div role="tabpanel" id="source-panel-upload" aria-labelledby="source-tab-upload" className="space-y-2">
              <Field
                htmlFor="deploy-file"
                label="Manifest file"
                hint={fileName ? `Loaded ${fileName}.` : "A .yaml, .yml or .json file."}
                errors={manifestErrors}
              >
                <input
                  id="deploy-file"
                  type="file"
                  accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml"
                  onChange={(e) => void onFile(e.target.files?.[0])}
                  aria-describedby="deploy-file-help"
                  className="block text-sm"
                />
              </Field>
              {manifests && fileName ? (
                <pre tabIndex={0} className="max-h-60 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs">
                  {manifests}
                </pre>
              ) : null}
            </div>
          ) : null}

          {tab === "git" ? (
            <div role="tabpanel" id="source-panel-git" aria-labelledby="source-tab-git" className="space-y-4">
              <Field
                htmlFor="deploy-git-url"
                label="Repository URL"
                hint="https://, http://, git:// or file://"
                errors={fields["source.url"]}
              >
                <Input
                  id="deploy-git-url"
                  value={git.url}
                  onChange={(e) => setGit({ ...git, url: e.target.value })}
                  spellCheck={false}
                  aria-describedby="deploy-git-url-help"
                />
              </Field>
              <div className="grid gap-4 md:grid-cols-2">
                <Field htmlFor="deploy-git-ref" label="Branch, tag or commit" errors={fields["source.ref"]}>
                  <Input
                    id="deploy-git-ref"
                    value={git.ref}
                    onChange={(e) => setGit({ ...git, ref: e.target.value })}
                    spellCheck={false}
                    aria-describedby="deploy-git-ref-help"
                  />
                </Field>
                <Field
                  htmlFor="deploy-git-path"
                  label="Path"
                  hint="A directory (read recursively) or a file; . is the root."
                  errors={fields["source.path"]}
                >
                  <Input
                    id="deploy-git-path"
                    value={git.path}
                    onChange={(e) => setGit({ ...git, path: e.target.value })}
                    spellCheck={false}
                    aria-describedby="deploy-git-path-help"
                  />
                </Field>
              </div>
              {manifestErrors?.length ? (
                <div id="deploy-git-manifests-errors" role="alert" className="space-y-1">
                  {manifestErrors.map((m) => (
                    <p key={m} className="text-xs text-red-600">
                      {m}
                    </p>
                  ))}
                </div>
              ) : null}
            </div>
          ) : null}

          <Field
            htmlFor="deploy-reason"
            label="Reason"
            hint="What this changes and why; approvers read it."
            errors={fields.reason}
          >
            <Textarea
              id="deploy-reason"
              name="reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={2}
              aria-describedby="deploy-reason-help"
            />
          </Field>
        </CardBody>
      </Card>
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={() => router.back()} disabled={request.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={request.isPending}>
          {request.isPending ? (tab === "git" ? "Fetching and checking…" : "Checking…") : "Request deployment"}
        </Button>
      </div>
    </form>
  );
}
