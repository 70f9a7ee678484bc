"use client";

import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { apiFetch } from "@/lib/api-fetch";
import {
  isProgressTerminal,
  type DeploymentProgress as Progress,
  type DeploymentProgressObject,
} from "@/lib/deployments/progress-view";

const POLL_MS = 1000;
/** Lines kept in the browser; a very long run keeps its newest lines on screen (all stay in the database). */
const MAX_LOG_LINES = 5000;

export const deploymentProgressKey = (id: string) => ["deployments", "detail", id, "progress"] as const;

/**
 * Fetches only the log lines after the last one already held and appends them, so each poll transfers what is new.
 */
async function fetchProgress(qc: QueryClient, id: string, signal: AbortSignal): Promise<Progress> {
  const previous = qc.getQueryData<Progress>(deploymentProgressKey(id));
  const lastSeq = previous?.logs.at(-1)?.seq;
  const next = await apiFetch<Progress>(
    `/api/deployments/${encodeURIComponent(id)}/progress${lastSeq !== undefined ? `?afterLog=${lastSeq}` : ""}`,
    { signal },
  );
  const logs = [...(previous?.logs ?? []), ...next.logs];
  return { ...next, logs: logs.length > MAX_LOG_LINES ? logs.slice(-MAX_LOG_LINES) : logs };
}

const STATE_TONE: Record<string, BadgeTone> = {
  queued: "neutral",
  running: "blue",
  succeeded: "green",
  failed: "red",
  cancelled: "yellow",
  superseded: "neutral",
  "plan-changed": "yellow",
  rejected: "red",
};

const ACTION_TONE: Record<DeploymentProgressObject["action"], BadgeTone> = {
  pending: "neutral",
  created: "green",
  configured: "blue",
  unchanged: "neutral",
  pruned: "purple",
  failed: "red",
};

const PHASE_LABEL = {
  applying: "Applying objects",
  pruning: "Pruning leftovers",
  "waiting-rollout": "Waiting for the rollout",
} as const;

/**
 * Live execution of one deployment: a progress bar (objects applied / total while applying, then replicas ready /
 * desired), the per-object results, a streaming log and the final state. Polls every second until the deployment
 * reaches a final state, then stops.
 */
export function DeploymentProgress({ deploymentId }: { deploymentId: string }) {
  const qc = useQueryClient();
  const { data, error } = useQuery({
    queryKey: deploymentProgressKey(deploymentId),
    queryFn: ({ signal }) => fetchProgress(qc, deploymentId, signal),
    refetchInterval: (q) => (q.state.data && isProgressTerminal(q.state.data.state) ? false : POLL_MS),
    // The merge above relies on the previous data; never drop it between polls.
    staleTime: 0,
    gcTime: 5 * 60_000,
  });

  // When the run ends, the rest of the page (state badge, buttons) is refreshed once.
  const finishedState = data && isProgressTerminal(data.state) ? data.state : null;
  const seenFinish = useRef<string | null>(null);
  useEffect(() => {
    if (!finishedState || seenFinish.current === finishedState) return;
    seenFinish.current = finishedState;
    void qc.invalidateQueries({ queryKey: ["deployments"], predicate: (q) => q.queryKey[3] !== "progress" });
  }, [finishedState, qc]);

  const logRef = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const lineCount = data?.logs.length ?? 0;
  useEffect(() => {
    const el = logRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [lineCount]);

  if (error && !data) {
    return (
      <p role="alert" className="text-sm text-red-700">
        Could not load the progress: {error.message}
      </p>
    );
  }
  if (!data) return <p className="text-sm text-slate-500">Loading progress…</p>;

  const label =
    data.state === "succeeded"
      ? "Deployment complete"
      : data.measuring === "replicas"
        ? `Replicas ready: ${data.readyReplicas} of ${data.desiredReplicas}`
        : `Objects applied: ${data.appliedCount} of ${data.objectCount}`;
  const notStarted = data.state === "queued" || data.state === "approved" || data.state === "pending-approval";
  // A failed run has no progress to show: replicas ready at the end are often the old version's, still serving, and a
  // full red bar next to "failed" reads as done. It says what was applied, and the reason below says what broke.
  const failed = data.state === "failed";

  return (
    <Card>
      <CardHeader
        title="Progress"
        description={data.phase && !isProgressTerminal(data.state) ? PHASE_LABEL[data.phase] : undefined}
        actions={<Badge tone={STATE_TONE[data.state] ?? "neutral"}>{data.state}</Badge>}
      />
      <CardBody className="space-y-4">
        {failed ? (
          <p className="text-sm text-slate-700" data-testid="progress-failed">
            <span className="font-medium text-red-700">Failed</span> after applying {data.appliedCount} of{" "}
            {data.objectCount} object{data.objectCount === 1 ? "" : "s"}.
          </p>
        ) : (
          <div>
            <div className="mb-1 flex justify-between text-sm text-slate-700">
              <span id={`progress-label-${deploymentId}`}>{notStarted ? "Waiting for the executor" : label}</span>
              <span aria-hidden="true">{data.percent}%</span>
            </div>
            <div
              role="progressbar"
              aria-labelledby={`progress-label-${deploymentId}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={data.percent}
              aria-valuetext={`${data.percent}% — ${label}`}
              className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
            >
              <div
                className={`h-full transition-all ${data.state === "cancelled" || data.state === "plan-changed" ? "bg-amber-500" : data.state === "succeeded" ? "bg-emerald-500" : "bg-brand-600"}`}
                style={{ width: `${data.percent}%` }}
              />
            </div>
          </div>
        )}

        {isProgressTerminal(data.state) && data.resultMessage ? (
          <p
            role="status"
            className={`rounded p-3 text-sm ${data.state === "succeeded" ? "bg-emerald-50 text-emerald-900" : data.state === "cancelled" || data.state === "plan-changed" ? "bg-amber-50 text-amber-900" : "bg-red-50 text-red-900"}`}
          >
            <span className="font-medium capitalize">{data.state}:</span> {data.resultMessage}
          </p>
        ) : data.cancelRequested ? (
          <p role="status" className="text-sm text-amber-800">
            Cancel requested: no further objects will be applied.
          </p>
        ) : null}

        {data.objects.length > 0 ? (
          <Table label="Object results">
            <thead>
              <tr>
                <Th>Object</Th>
                <Th>Namespace</Th>
                <Th>Result</Th>
                <Th>Message</Th>
              </tr>
            </thead>
            <tbody>
              {data.objects.map((o) => (
                <tr key={o.position}>
                  <Td>
                    <span className="font-mono text-xs">
                      {o.kind}/{o.name}
                    </span>
                  </Td>
                  <Td className="font-mono text-xs">{o.namespace ?? "—"}</Td>
                  <Td>
                    <Badge tone={ACTION_TONE[o.action]}>{o.action}</Badge>
                  </Td>
                  <Td className="text-xs break-words text-slate-600">{o.message ?? ""}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}

        <div>
          <h3 className="mb-1 text-sm font-medium text-slate-700">Log</h3>
          {data.logs.length === 0 ? (
            <p className="text-sm text-slate-500">No log lines yet.</p>
          ) : (
            <ol
              ref={logRef}
              aria-label="Deployment log"
              // Scrolls: focusable, so the keyboard can scroll it too.
              tabIndex={0}
              aria-live="polite"
              aria-relevant="additions"
              onScroll={(e) => {
                const el = e.currentTarget;
                stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
              }}
              className="max-h-72 overflow-auto rounded bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100"
            >
              {data.logs.map((l) => (
                <li
                  key={l.seq}
                  className={l.level === "error" ? "text-red-300" : l.level === "warn" ? "text-amber-200" : undefined}
                >
                  <time dateTime={l.at} className="mr-2 text-slate-400">
                    {l.at.slice(11, 19)}
                  </time>
                  {l.message}
                </li>
              ))}
            </ol>
          )}
        </div>
      </CardBody>
    </Card>
  );
}
