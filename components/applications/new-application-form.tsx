"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { Field, FormAlert } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { useCreateApplication } from "@/lib/applications/hooks/use-create-application";
import { ZCreateApplication, type TCreateApplicationInput } from "@/lib/applications/schemas";
import { zodFieldErrors, type FieldErrors } from "@/lib/errors";
import { useTargets } from "@/lib/targets/hooks/use-targets";
import { describeApprovalRule, type TargetListItem } from "@/lib/targets/schemas";
import { EMPTY_DRAFT, errorsByInput, settingsOf, type ApplicationDraft } from "./application-draft";
import { ApplicationSettingsFields } from "./application-settings-fields";
import { APPLICATION_TARGETS_FILTER } from "./page-queries";

function targetLabel(t: TargetListItem): string {
  return `${t.name} — ${t.environment}, ${t.mode}`;
}

/**
 * Creates an application: a name, a target (its mode decides push or pull), a source and its render and sync
 * options. The body is checked with the API's own schema before it is sent, and the API's field errors come back
 * next to their inputs; on success the application's page opens.
 */
export function NewApplicationForm({ initialTargetId }: { initialTargetId?: string | undefined }) {
  const router = useRouter();
  const create = useCreateApplication();
  const targets = useTargets(APPLICATION_TARGETS_FILTER);
  const items = targets.data?.pages.flatMap((p) => p.items) ?? [];
  const [name, setName] = useState("");
  const [targetId, setTargetId] = useState(initialTargetId ?? "");
  const [draft, setDraft] = useState<ApplicationDraft>(EMPTY_DRAFT);
  const [fields, setFields] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const target = items.find((t) => t.id === targetId);
  const mode = target?.mode;

  function fail(message: string, next: FieldErrors) {
    setFields(next);
    setError(message);
    // The message is announced (role=alert); moving focus there lets a keyboard user read on from it.
    requestAnimationFrame(() => alertRef.current?.focus());
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (create.isPending) return;
    const settings = settingsOf(draft, mode);
    if (!settings.ok) return fail("Check the highlighted fields.", settings.fields);
    const input: TCreateApplicationInput = { name: name.trim(), targetId, ...settings.settings };
    const checked = ZCreateApplication.safeParse(input);
    if (!checked.success) return fail("Check the highlighted fields.", zodFieldErrors(checked.error));
    setFields({});
    setError(null);
    try {
      const app = await create.mutateAsync(input);
      router.push(`/applications/${app.id}?created=1`);
    } catch (err) {
      const apiErr = err as { message?: string; fields?: FieldErrors };
      fail(apiErr.message ?? "The application could not be created. Try again.", apiErr.fields ?? {});
    }
  }

  const { byInput, other } = errorsByInput(fields);
  const push = items.filter((t) => t.mode === "push");
  const pull = items.filter((t) => t.mode === "pull");

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="space-y-6">
      <div ref={alertRef} tabIndex={-1} className="space-y-1 outline-none">
        <FormAlert error={error} />
        {other.length ? (
          <ul className="list-disc pl-5 text-sm text-red-700">
            {other.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <Card>
        <CardBody className="space-y-6">
          <div className="grid gap-4 sm:grid-cols-2">
            <Field
              htmlFor="app-name"
              label="Name"
              hint="Lower-case letters, digits and '-' (a DNS label). The same name on several targets is one application in several environments."
              errors={byInput.name}
            >
              <Input
                id="app-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                autoFocus
                aria-describedby="app-name-help"
                aria-invalid={byInput.name?.length ? true : undefined}
              />
            </Field>
            <Field
              htmlFor="app-target"
              label="Target"
              hint={
                target
                  ? target.mode === "push"
                    ? `Push: Wharf applies each deployment. ${describeApprovalRule(target)}.`
                    : `Pull: the target's agent syncs from Git. ${describeApprovalRule(target).replace("Deploys", "New revisions")}.`
                  : targets.isError
                    ? `Could not load targets: ${targets.error.message}`
                    : "The cluster and environment it runs in; push or pull follows the target."
              }
              errors={byInput.targetId}
            >
              <Select
                id="app-target"
                value={targetId}
                onChange={(e) => setTargetId(e.target.value)}
                aria-describedby="app-target-help"
                aria-invalid={byInput.targetId?.length ? true : undefined}
              >
                <option value="">{targets.isPending ? "Loading targets…" : "Choose a target"}</option>
                {push.length ? (
                  <optgroup label="Push targets">
                    {push.map((t) => (
                      <option key={t.id} value={t.id}>
                        {targetLabel(t)}
                      </option>
                    ))}
                  </optgroup>
                ) : null}
                {pull.length ? (
                  <optgroup label="Pull targets">
                    {pull.map((t) => (
                      <option key={t.id} value={t.id}>
                        {targetLabel(t)}
                      </option>
                    ))}
                  </optgroup>
                ) : null}
              </Select>
            </Field>
          </div>
          <ApplicationSettingsFields idPrefix="app" draft={draft} onChange={setDraft} errors={byInput} mode={mode} />
        </CardBody>
      </Card>
      <div className="flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={() => router.back()} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create application"}
        </Button>
      </div>
    </form>
  );
}
