"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { DialogClose, DialogContent, DialogRoot, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormAlert } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import type { ApplicationView } from "@/lib/applications/schemas";
import { useRequestDeployment } from "@/lib/deployments/hooks/use-request-deployment";
import type { FieldErrors } from "@/lib/errors";

/**
 * "Deploy": requests a deployment of a push application's Git source (the newest commit of its ref) and opens the
 * new deployment's page, where its preview and the target's approval flow run. `rule` says what happens next.
 */
export function DeployApplicationButton({ app, rule }: { app: ApplicationView; rule: string }) {
  const router = useRouter();
  const request = useRequestDeployment();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const { repoUrl, ref, path } = app.source;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (request.isPending || !repoUrl) return;
    setError(null);
    setProblems([]);
    try {
      const created = await request.mutateAsync({
        targetId: app.target.id,
        application: app.name,
        source: { kind: "git", url: repoUrl, ref: ref ?? "main", path: path ?? "." },
        reason,
      });
      router.push(`/deployments/${created.id}`);
    } catch (err) {
      const apiErr = err as { message?: string; fields?: FieldErrors };
      setError(apiErr.message ?? "The deployment could not be requested. Try again.");
      // Render and manifest problems (file and line) come as field errors; show each one.
      setProblems(Object.values(apiErr.fields ?? {}).flat());
    }
  }

  return (
    <DialogRoot
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) {
          setError(null);
          setProblems([]);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button>Deploy</Button>
      </DialogTrigger>
      <DialogContent
        title={`Deploy ${app.name} to ${app.target.name}`}
        description={
          <>
            Wharf fetches <span className="break-all font-mono">{repoUrl}</span> at{" "}
            <span className="font-mono">{ref}</span>
            {path && path !== "." ? (
              <>
                , folder <span className="font-mono">{path}</span>
              </>
            ) : null}
            , renders it and shows the preview. {rule}.
          </>
        }
      >
        <form onSubmit={(e) => void onSubmit(e)} className="space-y-4">
          <Field htmlFor="deploy-app-reason" label="Reason" hint="What this changes and why; approvers read it.">
            <Textarea
              id="deploy-app-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={2}
              className="font-sans"
              aria-describedby="deploy-app-reason-help"
            />
          </Field>
          <FormAlert error={error} />
          {problems.length ? (
            <ul className="max-h-40 list-disc overflow-auto pl-5 text-xs text-red-700">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : null}
          <div className="flex flex-wrap justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={request.isPending}>
              {request.isPending ? "Fetching and rendering…" : "Request deployment"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}
