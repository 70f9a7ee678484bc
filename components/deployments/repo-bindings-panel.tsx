"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { useApplications } from "@/lib/applications/hooks/use-applications";
import type { ApplicationView } from "@/lib/applications/schemas";
import type { CreatedRepoBinding, RepoBindingView, TCreateRepoBindingInput } from "@/lib/deployments/webhooks";
import { repositoryName } from "@/lib/repos/url";

export const repoBindingKeys = {
  all: ["repo-bindings"] as const,
  list: (targetId: string) => [...repoBindingKeys.all, "list", targetId] as const,
};

interface BindingList {
  bindings: RepoBindingView[];
  webhookUrl: string;
}

/**
 * A push target's repository bindings: which repository branch's pushes request deployments here, the webhook URL
 * to configure on the Git host, and (for admins) a form that creates a binding and shows its secret exactly once.
 */
export function RepoBindingsPanel({
  targetId,
  canManage,
  mode = "push",
}: {
  targetId: string;
  canManage: boolean;
  mode?: "push" | "pull";
}) {
  const pushText = mode === "push";
  const qc = useQueryClient();
  const path = `/api/targets/${encodeURIComponent(targetId)}/repo-bindings`;
  const { data, error } = useQuery({
    queryKey: repoBindingKeys.list(targetId),
    queryFn: ({ signal }) => apiFetch<BindingList>(path, { signal }),
    enabled: canManage,
  });
  const [created, setCreated] = useState<CreatedRepoBinding | null>(null);
  const create = useMutation<CreatedRepoBinding, ApiError, TCreateRepoBindingInput>({
    mutationFn: (input) => apiFetch<CreatedRepoBinding>(path, { method: "POST", body: input }),
    onSuccess: (result) => setCreated(result),
    onSettled: () => refetchAfterWrite(qc, repoBindingKeys.list(targetId)),
  });
  const remove = useMutation<void, ApiError, string>({
    mutationFn: (bindingId) => apiFetch<void>(`${path}/${encodeURIComponent(bindingId)}`, { method: "DELETE" }),
    onSettled: () => refetchAfterWrite(qc, repoBindingKeys.list(targetId)),
  });

  if (!canManage) {
    return (
      <Card>
        <CardHeader title="Git push webhooks" />
        <CardBody>
          <p className="text-sm text-slate-600">
            {pushText
              ? "Admins bind repositories so that pushes request deployments to this target."
              : "Admins bind repositories so that pushes wake this target's agent at once."}
          </p>
        </CardBody>
      </Card>
    );
  }

  return (
    <Card>
      <CardHeader
        title="Git push webhooks"
        description={
          pushText
            ? "Pushes to a bound branch request a deployment of the pushed commit; the target's approval rule still applies."
            : "Pushes to a bound branch wake the agent, which fetches at once instead of waiting for its next poll. Bind each registered repository and branch."
        }
      />
      <CardBody className="space-y-4">
        {error ? (
          <p role="alert" className="text-sm text-red-700">
            Could not load the bindings: {error.message}
          </p>
        ) : null}
        {data ? (
          <p className="text-sm text-slate-700">
            Webhook URL:{" "}
            <code className="rounded bg-slate-100 px-1 font-mono text-xs break-all">{data.webhookUrl}</code> (content
            type application/json, push events)
          </p>
        ) : null}

        {created ? (
          <div
            role="status"
            className="space-y-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
          >
            <p className="font-medium">Copy this secret now — it is shown only once.</p>
            <p>
              GitHub: the webhook&apos;s &ldquo;Secret&rdquo;. GitLab: the webhook&apos;s &ldquo;Secret token&rdquo;.
            </p>
            <code
              data-testid="repo-binding-secret"
              className="block rounded bg-white px-2 py-1 font-mono text-xs break-all select-all"
            >
              {created.secret}
            </code>
            {created.note ? <p>{created.note}</p> : null}
            <Button variant="secondary" size="sm" onClick={() => setCreated(null)}>
              I have copied it
            </Button>
          </div>
        ) : null}

        {data && data.bindings.length > 0 ? (
          <Table label="Repository bindings">
            <thead>
              <tr>
                <Th>Repository</Th>
                <Th>Branch</Th>
                <Th>Path</Th>
                <Th>Application</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {data.bindings.map((b) => (
                <tr key={b.id}>
                  <Td className="font-mono text-xs break-all">{b.repoUrl}</Td>
                  <Td className="font-mono text-xs">{b.branch}</Td>
                  <Td className="font-mono text-xs">{b.path}</Td>
                  <Td className="text-xs">
                    {b.application ? (
                      <>
                        <span className="font-mono">{b.application.name}</span>
                        {b.followsApplication ? <span className="block text-slate-500">follows its source</span> : null}
                      </>
                    ) : (
                      "—"
                    )}
                  </Td>
                  <Td>
                    <ConfirmDialog
                      title="Remove this binding?"
                      description={`Pushes to ${b.branch} of ${b.repoUrl} will no longer request deployments; its webhook will be refused.`}
                      confirmText={repositoryName(b.repoUrl)}
                      confirmLabel="Remove binding"
                      pending={remove.isPending}
                      error={remove.error?.message ?? null}
                      onConfirm={() => remove.mutate(b.id)}
                      trigger={
                        <Button variant="ghost" size="sm">
                          Remove
                        </Button>
                      }
                    />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : data ? (
          <p className="text-sm text-slate-500">No repository is bound to this target yet.</p>
        ) : null}

        <CreateBindingForm
          targetId={targetId}
          mode={mode}
          pending={create.isPending}
          error={create.error}
          onSubmit={(input) => create.mutate(input)}
        />
      </CardBody>
    </Card>
  );
}

/** The push applications of a target a binding may follow: those with a Git source (first page, up to 100). */
function useFollowableApplications(targetId: string, enabled: boolean): ApplicationView[] {
  const { data } = useApplications({ targetId, limit: 100 });
  if (!enabled) return [];
  return (data?.pages[0]?.items ?? []).filter((a) => a.mode === "push" && a.source.kind === "git");
}

function CreateBindingForm({
  targetId,
  mode,
  pending,
  error,
  onSubmit,
}: {
  targetId: string;
  mode: "push" | "pull";
  pending: boolean;
  error: ApiError | null;
  onSubmit: (input: TCreateRepoBindingInput) => void;
}) {
  const id = useId();
  const [repoUrl, setRepoUrl] = useState("");
  const [branch, setBranch] = useState("main");
  const [path, setPath] = useState(".");
  const [application, setApplication] = useState("");
  const applications = useFollowableApplications(targetId, mode === "push");
  const followed = applications.find((a) => a.name === application) ?? null;
  const fields = error?.fields ?? {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // A binding that follows an application deploys its ref and path: they are not asked for.
    onSubmit(followed ? { repoUrl, application: followed.name } : { repoUrl, branch, path });
  };
  const choose = (name: string) => {
    setApplication(name);
    const app = applications.find((a) => a.name === name);
    // Its repository is the one to bind; an URL already typed is kept (the server says if it is another one).
    if (app?.source.repoUrl && !repoUrl) setRepoUrl(app.source.repoUrl);
  };
  return (
    <form onSubmit={submit} className="space-y-3 border-t border-slate-100 pt-4" aria-label="Bind a repository">
      <h3 className="text-sm font-medium text-slate-800">Bind a repository</h3>
      {mode === "push" ? (
        <Field
          htmlFor={`${id}-application`}
          label="Application (optional)"
          hint={
            followed
              ? `Pushes to ${followed.source.ref ?? "its ref"} deploy ${followed.name}'s path ${followed.source.path ?? "."} with its render options, and follow changes of its source.`
              : "Without one, pushes deploy the branch and path below into the target's default application."
          }
          errors={fields.application}
        >
          <Select
            id={`${id}-application`}
            value={application}
            onChange={(e) => choose(e.target.value)}
            aria-describedby={`${id}-application-help`}
            aria-invalid={fields.application?.length ? true : undefined}
          >
            <option value="">None (the default application)</option>
            {applications.map((a) => (
              <option key={a.id} value={a.name}>
                {a.name} — {a.source.ref} {a.source.path}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      <Field
        htmlFor={`${id}-url`}
        label="Repository URL"
        hint="The URL Wharf fetches from (https://, git:// or file://)."
        errors={fields.repoUrl}
      >
        <Input
          id={`${id}-url`}
          value={repoUrl}
          onChange={(e) => setRepoUrl(e.target.value)}
          placeholder="https://git.example.com/team/app.git"
          aria-describedby={`${id}-url-help`}
          aria-invalid={fields.repoUrl?.length ? true : undefined}
          required
        />
      </Field>
      <div className={followed ? "hidden" : "grid gap-3 sm:grid-cols-2"}>
        <Field htmlFor={`${id}-branch`} label="Branch" errors={fields.branch}>
          <Input
            id={`${id}-branch`}
            value={branch}
            onChange={(e) => setBranch(e.target.value)}
            aria-describedby={`${id}-branch-help`}
            aria-invalid={fields.branch?.length ? true : undefined}
            required={!followed}
          />
        </Field>
        <Field
          htmlFor={`${id}-path`}
          label="Path"
          hint="Folder with the manifests; . is the root."
          errors={fields.path}
        >
          <Input
            id={`${id}-path`}
            value={path}
            onChange={(e) => setPath(e.target.value)}
            aria-describedby={`${id}-path-help`}
            aria-invalid={fields.path?.length ? true : undefined}
          />
        </Field>
      </div>
      {error && !error.fields ? (
        <p role="alert" className="text-sm text-red-700">
          {error.message}
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Binding…" : "Bind repository"}
      </Button>
    </form>
  );
}
