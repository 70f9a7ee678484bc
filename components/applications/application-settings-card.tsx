"use client";

import { useCallback, useState, type FormEvent, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DialogClose, DialogContent, DialogRoot } from "@/components/ui/dialog";
import { FormAlert } from "@/components/ui/field";
import { useUpdateApplication } from "@/lib/applications/hooks/use-update-application";
import { ZUpdateApplication, type ApplicationView, type TUpdateApplicationInput } from "@/lib/applications/schemas";
import { zodFieldErrors, type FieldErrors } from "@/lib/errors";
import {
  changedSettings,
  changesRevision,
  draftOf,
  errorsByInput,
  settingsOf,
  type ApplicationDraft,
} from "./application-draft";
import { ApplicationSettingsFields } from "./application-settings-fields";

const RENDER_TEXT: Record<ApplicationView["renderOptions"]["kind"], string> = {
  auto: "Auto (Helm for a chart, kustomize for a kustomization, else plain)",
  plain: "Plain YAML or JSON",
  kustomize: "Kustomize",
  helm: "Helm chart",
};

const EDIT_BUTTON_ID = "edit-application-settings";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 sm:grid-cols-3 sm:gap-4">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

function SettingsList({ app }: { app: ApplicationView }) {
  const { source, renderOptions: render } = app;
  const helm = render.helm;
  const values = helm && Object.keys(helm.values).length ? JSON.stringify(helm.values, null, 2) : null;
  return (
    <dl className="space-y-3 text-sm">
      {source.kind === "git" ? (
        <>
          <Row label="Repository">
            <span className="break-all font-mono text-xs">{source.repoUrl}</span>
          </Row>
          <Row label="Branch">
            <span className="font-mono text-xs">{source.ref}</span>
          </Row>
          <Row label="Path">
            <span className="break-all font-mono text-xs">{source.path}</span>
          </Row>
          <Row label="Render as">{RENDER_TEXT[render.kind]}</Row>
          {helm ? (
            <>
              <Row label="Helm release">
                {helm.releaseName ?? <span className="text-slate-500">derived from the path and repository</span>}
              </Row>
              <Row label="Values files">
                {helm.valuesFiles.length ? (
                  <span className="break-all font-mono text-xs">{helm.valuesFiles.join(", ")}</span>
                ) : (
                  <span className="text-slate-500">values.yaml only</span>
                )}
              </Row>
              <Row label="Inline values">
                {values ? (
                  <pre tabIndex={0} className="max-h-48 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs">
                    {values}
                  </pre>
                ) : (
                  <span className="text-slate-500">none</span>
                )}
              </Row>
              {helm.repositories?.length ? (
                <Row label="Chart repositories">
                  <ul className="space-y-0.5 font-mono text-xs">
                    {helm.repositories.map((r) => (
                      <li key={r.name} className="break-all">
                        {r.name} {r.url}
                      </li>
                    ))}
                  </ul>
                </Row>
              ) : null}
            </>
          ) : null}
        </>
      ) : (
        <Row label="Source">Manifests sent with each deployment (pasted or uploaded)</Row>
      )}
      <Row label="Prune">
        {app.prune ? "On: objects a new revision drops are deleted (only this application's)" : "Off"}
      </Row>
      {app.mode === "pull" ? (
        <>
          <Row label="Self-heal">{app.selfHeal ? "On: drift is put back" : "Off: drift is reported only"}</Row>
          <Row label="Drift check">
            {app.driftInterval === null ? "The agent's default interval" : `Every ${app.driftInterval} s`}
          </Row>
        </>
      ) : null}
      <Row label="Inventory">
        <span className="break-all font-mono text-xs" title="Its ApplySet: which live objects belong to it">
          {app.inventoryKey}
        </span>
      </Row>
    </dl>
  );
}

/** What a gated change means for this application, for the confirmation. */
function gatedChangeText(app: ApplicationView, rule: string): string {
  if (app.mode === "pull")
    return `This is a new desired revision. ${app.target.name}: ${rule}. Its agent keeps the approved revision applied until the new one is approved.`;
  return `Nothing running changes now: the next deployment of ${app.name} renders the new source and, as ${app.target.name} requires (${rule}), waits for approval before it runs.`;
}

/**
 * An application's settings, and (for deployers and admins) their form. A change of the source or of how it renders
 * on a target with an approval rule is confirmed first, saying that the new revision needs approval.
 */
export function ApplicationSettingsCard({
  app,
  canEdit,
  target,
}: {
  app: ApplicationView;
  canEdit: boolean;
  /** The target's approval rule: how many approvals, and the rule in words. */
  target: { requiredApprovals: number; rule: string } | null;
}) {
  const update = useUpdateApplication(app.id);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<ApplicationDraft>(() => draftOf(app));
  const [fields, setFields] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  /** The last save's message; `saved` counts saves, so each one mounts (and focuses) its own message. */
  const [result, setResult] = useState<{ message: string; saved: number } | null>(null);
  const [confirming, setConfirming] = useState<TUpdateApplicationInput | null>(null);
  // The form is gone after a save; the result is where the keyboard user continues. Focused when React attaches it: a
  // requestAnimationFrame could run before the render that adds it, and the focus then went nowhere (a flaky e2e).
  const focusResult = useCallback((el: HTMLParagraphElement | null) => el?.focus(), []);

  function startEditing() {
    setDraft(draftOf(app));
    setFields({});
    setError(null);
    setResult(null);
    setEditing(true);
  }

  async function save(patch: TUpdateApplicationInput) {
    setConfirming(null);
    try {
      const updated = await update.mutateAsync(patch);
      setEditing(false);
      setResult((previous) => ({ message: updated.update.message, saved: (previous?.saved ?? 0) + 1 }));
    } catch (err) {
      const apiErr = err as { message?: string; fields?: FieldErrors };
      setFields(apiErr.fields ?? {});
      setError(apiErr.message ?? "The change could not be saved. Try again.");
    }
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (update.isPending) return;
    setError(null);
    const settings = settingsOf(draft, app.mode);
    if (!settings.ok) {
      setFields(settings.fields);
      setError("Check the highlighted fields.");
      return;
    }
    const patch = changedSettings(app, settings.settings);
    const checked = ZUpdateApplication.safeParse(patch);
    if (!checked.success) {
      setFields(zodFieldErrors(checked.error));
      setError("Check the highlighted fields.");
      return;
    }
    setFields({});
    if (Object.keys(patch).length === 0) {
      setError("Nothing changed.");
      return;
    }
    // For pull, prune is part of the revision the agent applies too.
    const gated = changesRevision(patch) || (app.mode === "pull" && patch.prune !== undefined);
    if (gated && target && target.requiredApprovals > 0) setConfirming(patch);
    else void save(patch);
  }

  const { byInput, other } = errorsByInput(fields);

  return (
    <Card>
      <CardHeader
        title="Settings"
        actions={
          canEdit && !editing ? (
            <Button id={EDIT_BUTTON_ID} variant="secondary" size="sm" onClick={startEditing}>
              Edit settings
            </Button>
          ) : undefined
        }
      />
      <CardBody className="space-y-4">
        {result ? (
          <p
            key={result.saved}
            ref={focusResult}
            tabIndex={-1}
            role="status"
            className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800 outline-none"
          >
            {result.message}
          </p>
        ) : null}
        {editing ? (
          <form onSubmit={onSubmit} noValidate className="space-y-6">
            <FormAlert error={error} />
            {other.length ? (
              <ul className="list-disc pl-5 text-sm text-red-700">
                {other.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            ) : null}
            <ApplicationSettingsFields
              idPrefix="edit-app"
              draft={draft}
              onChange={setDraft}
              errors={byInput}
              mode={app.mode}
            />
            <div className="flex flex-wrap justify-end gap-2">
              <Button
                variant="secondary"
                disabled={update.isPending}
                onClick={() => {
                  setEditing(false);
                  requestAnimationFrame(() => document.getElementById(EDIT_BUTTON_ID)?.focus());
                }}
              >
                Cancel
              </Button>
              <Button type="submit" disabled={update.isPending}>
                {update.isPending ? "Saving…" : "Save settings"}
              </Button>
            </div>
          </form>
        ) : (
          <SettingsList app={app} />
        )}
      </CardBody>
      <DialogRoot open={confirming !== null} onOpenChange={(open) => (open ? null : setConfirming(null))}>
        <DialogContent
          title="This change needs approval"
          description={target ? gatedChangeText(app, target.rule) : undefined}
        >
          <div className="flex flex-wrap justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">Keep editing</Button>
            </DialogClose>
            <Button onClick={() => confirming && void save(confirming)} disabled={update.isPending}>
              Save the change
            </Button>
          </div>
        </DialogContent>
      </DialogRoot>
    </Card>
  );
}
