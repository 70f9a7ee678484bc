"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore } from "@/components/ui/load-more";
import { formatDateTime } from "@/lib/format/date";
import { useNotificationSinks } from "@/lib/notifications/hooks/use-notification-sinks";
import { useDeleteSink, useTestSink, useUpdateSink } from "@/lib/notifications/hooks/use-sink-mutations";
import { NOTIFICATION_EVENT_LABELS, type NotificationSinkView } from "@/lib/notifications/schemas";
import { DeliveryLog } from "./delivery-log";
import { SinkForm } from "./sink-form";

/** How far the audit trail has been streamed to a sink, and the retry of a refused batch. */
function AuditStreamState({ stream }: { stream: NotificationSinkView["auditStream"] }) {
  if (!stream || stream.afterSeq === 0) {
    return (
      <p className="text-xs text-slate-600" data-testid="audit-stream-state">
        Audit trail: {stream?.lastError ? "not delivered yet" : "starts from the first event on the next pass"}
        {stream?.lastError ? <AuditStreamRetry stream={stream} /> : null}
      </p>
    );
  }
  return (
    <p className="text-xs text-slate-600" data-testid="audit-stream-state">
      Audit trail: delivered up to seq {stream.afterSeq}
      {stream.lastDeliveredAt ? ` (last batch ${formatDateTime(stream.lastDeliveredAt)})` : ""}
      {stream.lastError ? <AuditStreamRetry stream={stream} /> : null}
    </p>
  );
}

function AuditStreamRetry({ stream }: { stream: NonNullable<NotificationSinkView["auditStream"]> }) {
  return (
    <span className="block text-red-700">
      The next batch failed {stream.attempts} {stream.attempts === 1 ? "time" : "times"}: {stream.lastError}
      {stream.nextAttemptAt ? `. Sent again ${formatDateTime(stream.nextAttemptAt)}; nothing is skipped.` : ""}
    </span>
  );
}

/** The signing secret, shown once after creation or rotation, with how receivers verify it. */
function SecretOnce({ sinkName, secret, onDismiss }: { sinkName: string; secret: string; onDismiss: () => void }) {
  return (
    <div
      role="status"
      className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900"
      data-testid="sink-secret"
    >
      <p className="font-medium">Signing secret for {sinkName} — copy it now, it will not be shown again.</p>
      <code className="mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900">{secret}</code>
      <p className="mt-2 text-xs">
        Every delivery carries <code>X-Wharf-Signature-256: sha256=&lt;hex&gt;</code>, the HMAC-SHA256 of the raw
        request body with this secret, plus <code>X-Wharf-Event</code> and <code>X-Wharf-Delivery</code> (the delivery
        id, for de-duplication).
      </p>
      <Button size="sm" variant="secondary" className="mt-3" onClick={onDismiss}>
        I have copied it
      </Button>
    </div>
  );
}

function SinkCard({
  sink,
  onSecret,
}: {
  sink: NotificationSinkView;
  onSecret: (name: string, secret: string) => void;
}) {
  const [showLog, setShowLog] = useState(false);
  const test = useTestSink(sink.id);
  const update = useUpdateSink(sink.id);
  const remove = useDeleteSink(sink.id);

  return (
    <Card>
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            {sink.name}
            {sink.enabled ? <Badge tone="green">enabled</Badge> : <Badge>disabled</Badge>}
          </span>
        }
        description={<span className="break-all font-mono text-xs">{sink.url}</span>}
        actions={
          <div className="flex flex-wrap justify-end gap-2">
            <Button size="sm" variant="secondary" disabled={test.isPending} onClick={() => test.mutate()}>
              {test.isPending ? "Sending…" : "Send test"}
            </Button>
            <Button
              size="sm"
              variant="secondary"
              disabled={update.isPending}
              onClick={() => update.mutate({ enabled: !sink.enabled })}
            >
              {sink.enabled ? "Disable" : "Enable"}
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={update.isPending}
              onClick={() =>
                update.mutate(
                  { rotateSecret: true },
                  { onSuccess: (res) => (res.secret ? onSecret(res.sink.name, res.secret) : undefined) },
                )
              }
            >
              New secret
            </Button>
            <ConfirmDialog
              trigger={
                <Button size="sm" variant="danger">
                  Delete
                </Button>
              }
              title={`Delete sink ${sink.name}?`}
              description="Its delivery log is deleted with it; pending deliveries are not sent."
              confirmLabel="Delete sink"
              confirmText={sink.name}
              pending={remove.isPending}
              error={remove.error?.message ?? null}
              onConfirm={() => remove.mutate()}
            />
          </div>
        }
      />
      <CardBody className="space-y-3">
        <div className="flex flex-wrap gap-1.5" aria-label="Events">
          {sink.events.map((e) => (
            <Badge key={e} tone="blue" title={e}>
              {NOTIFICATION_EVENT_LABELS[e]}
            </Badge>
          ))}
        </div>
        <p className="text-xs text-slate-600">
          {sink.deliveries.delivered} delivered · {sink.deliveries.pending} pending · {sink.deliveries.failed} failed
        </p>
        {sink.events.includes("audit.stream") ? <AuditStreamState stream={sink.auditStream} /> : null}
        {test.isSuccess ? (
          <p
            role="status"
            className={test.data.ok ? "text-sm text-emerald-700" : "text-sm text-red-700"}
            data-testid="test-result"
          >
            {test.data.ok
              ? `Test delivered (HTTP ${test.data.delivery.lastStatus ?? "?"}).`
              : `Test failed: ${test.data.delivery.lastError ?? "no answer"}. It will be retried like any delivery.`}
          </p>
        ) : null}
        {test.isError ? (
          <p role="alert" className="text-sm text-red-700">
            {test.error.message}
          </p>
        ) : null}
        {update.isError ? (
          <p role="alert" className="text-sm text-red-700">
            {update.error.message}
          </p>
        ) : null}
        <div>
          <Button size="sm" variant="ghost" aria-expanded={showLog} onClick={() => setShowLog((v) => !v)}>
            {showLog ? "Hide delivery log" : "Show delivery log"}
          </Button>
          {showLog ? (
            <div className="mt-2">
              <DeliveryLog sinkId={sink.id} sinkName={sink.name} />
            </div>
          ) : null}
        </div>
      </CardBody>
    </Card>
  );
}

/**
 * Webhook sinks for rotation and approval notifications: create (the signing secret is shown once), test, enable or
 * disable, rotate the secret, delete, and read each sink's delivery log with retries.
 */
export function NotificationsManager() {
  const query = useNotificationSinks();
  const sinks = query.data?.pages.flatMap((p) => p.items) ?? [];
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ sinkName: string; secret: string } | null>(null);

  return (
    <div className="space-y-6">
      {secret ? (
        <SecretOnce sinkName={secret.sinkName} secret={secret.secret} onDismiss={() => setSecret(null)} />
      ) : null}
      {creating ? (
        <Card>
          <CardHeader title="New sink" />
          <CardBody>
            <SinkForm
              onCancel={() => setCreating(false)}
              onCreated={(created) => {
                setCreating(false);
                setSecret({ sinkName: created.sink.name, secret: created.secret });
              }}
            />
          </CardBody>
        </Card>
      ) : (
        <Button onClick={() => setCreating(true)}>New sink</Button>
      )}
      {query.isPending ? (
        <p className="text-sm text-slate-500" aria-busy="true">
          Loading sinks…
        </p>
      ) : query.isError ? (
        <p role="alert" className="text-sm text-red-600">
          {query.error.message}
        </p>
      ) : sinks.length === 0 ? (
        <Card>
          <EmptyState
            title="No notification sinks"
            description="Add a webhook (a Slack incoming webhook, or any HTTPS endpoint) to hear about due, overdue and failed rotations and deployments waiting for approval."
          />
        </Card>
      ) : (
        <>
          {sinks.map((s) => (
            <SinkCard key={s.id} sink={s} onSecret={(sinkName, sec) => setSecret({ sinkName, secret: sec })} />
          ))}
          <LoadMore query={query} className="border-0 py-0" />
        </>
      )}
    </div>
  );
}
