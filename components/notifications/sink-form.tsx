"use client";

import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { ApiError } from "@/lib/api-fetch";
import { zodFieldErrors } from "@/lib/errors";
import { useCreateSink } from "@/lib/notifications/hooks/use-sink-mutations";
import {
  NOTIFICATION_EVENT_GROUPS,
  NOTIFICATION_EVENT_LABELS,
  ZCreateNotificationSink,
  type NotificationSinkWithSecret,
  type TNotificationEvent,
} from "@/lib/notifications/schemas";

/** Creates a webhook sink: name, URL and the events it receives. Validates with the API's schema first. */
export function SinkForm(props: { onCreated: (created: NotificationSinkWithSecret) => void; onCancel: () => void }) {
  const id = useId();
  const create = useCreateSink();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<TNotificationEvent[]>(["rotation.overdue", "rotation.failed"]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const parsed = ZCreateNotificationSink.safeParse({ name, url, events });
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      return;
    }
    setErrors({});
    try {
      props.onCreated(await create.mutateAsync(parsed.data));
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fields);
        setFormError(err.message);
      } else setFormError("Creating the sink failed.");
    }
  }

  const eventsId = `${id}-events`;
  return (
    <form onSubmit={(e) => void onSubmit(e)} className="space-y-4" aria-label="New notification sink" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field htmlFor={`${id}-name`} label="Name" errors={errors.name}>
          <Input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-describedby={`${id}-name-help`}
            aria-invalid={!!errors.name?.length}
          />
        </Field>
        <Field
          htmlFor={`${id}-url`}
          label="Webhook URL"
          hint="Slack incoming webhooks work as they are; other receivers get the same JSON."
          errors={errors.url}
        >
          <Input
            id={`${id}-url`}
            type="url"
            inputMode="url"
            placeholder="https://hooks.slack.com/services/…"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-describedby={`${id}-url-help`}
            aria-invalid={!!errors.url?.length}
          />
        </Field>
      </div>
      <fieldset aria-describedby={`${eventsId}-help`}>
        <legend className="text-sm font-medium text-slate-700">Events</legend>
        <div className="mt-2 grid gap-4 sm:grid-cols-3">
          {NOTIFICATION_EVENT_GROUPS.map((group) => (
            <div key={group.title} role="group" aria-label={group.title} className="space-y-2">
              <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">{group.title}</p>
              {group.events.map((ev) => (
                <label key={ev} className="flex items-center gap-2 text-sm text-slate-700">
                  <input
                    type="checkbox"
                    checked={events.includes(ev)}
                    onChange={(e) =>
                      setEvents((cur) => (e.target.checked ? [...cur, ev] : cur.filter((x) => x !== ev)))
                    }
                  />
                  {NOTIFICATION_EVENT_LABELS[ev]} <code className="text-xs text-slate-500">{ev}</code>
                </label>
              ))}
              {group.hint ? <p className="text-xs text-slate-500">{group.hint}</p> : null}
            </div>
          ))}
        </div>
        <div id={`${eventsId}-help`}>
          {errors.events?.map((m) => (
            <p key={m} role="alert" className="text-xs text-red-600">
              {m}
            </p>
          ))}
        </div>
      </fieldset>
      {formError ? (
        <p role="alert" className="text-sm text-red-600">
          {formError}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create sink"}
        </Button>
        <Button type="button" variant="ghost" onClick={props.onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
