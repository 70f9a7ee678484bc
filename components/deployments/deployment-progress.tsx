"use client";

import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { ApiError, apiFetch } from "@/lib/api-fetch";
import { deploymentKeys } from "@/lib/deployments/query";
import {
  isProgressTerminal,
  PROGRESS_WAIT_MAX_SECONDS,
  type DeploymentProgress as Progress,
  type DeploymentProgressObject,
} from "@/lib/deployments/progress-view";
import type { DeploymentView } from "@/lib/deployments/schemas";
import { backoffDelay } from "@/lib/jobs/backoff";

/** Lines kept in the browser; a very long run keeps its newest lines on screen (all stay in the database). */
const MAX_LOG_LINES = 5000;

export const deploymentProgressKey = (id: string) => ["deployments", "detail", id, "progress"] as const;

/**
 * One long poll: sends the last log line and the version already held, so the server answers as soon as anything is
 * newer (or "unchanged" after up to 25 s), and appends the new log lines to the ones held.
 */
async function fetchProgress(qc: QueryClient, id: string, signal: AbortSignal): Promise<Progress> {
  const previous = qc.getQueryData<Progress>(deploymentProgressKey(id));
  const params = new URLSearchParams();
  const lastSeq = previous?.logs.at(-1)?.seq;
  if (lastSeq !== undefined) params.set("afterLog", String(lastSeq));
  // The first request, and one after the run ended, answer at once; the others wait for news.
  if (previous && !isProgressTerminal(previous.state)) {
    params.set("after", previous.version);
    params.set("wait", String(PROGRESS_WAIT_MAX_SECONDS));
  }
  const query = params.toString();
  const next = await apiFetch<Progress>(
    `/api/deployments/${encodeURIComponent(id)}/progress${query ? `?${query}` : ""}`,
    { signal },
  );
  const logs = [...(previous?.logs ?? []), ...next.logs];
  return { ...next, logs: logs.length > MAX_LOG_LINES ? logs.slice(-MAX_LOG_LINES) : logs };
}

/**
 * Retried without end while the run goes on (the page is live), backing off the way every Wharf retry does: an
 * unreachable or busy server (5xx, 429 RATE_LIMITED when it holds too many long polls) is asked again after 1, 2, 4 …
 * up to 30 s. Any other 4xx (signed out, forbidden, gone) stops.
 */
function retryProgress(_count: number, error: Error): boolean {
  return !(error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429);
}
const progressRetryDelay = (attempt: number) => backoffDelay(attempt, { base: 1000, cap: 30_000, jitter: "equal" });

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
 * desired), the per-object results, a streaming log and the final state. Follows the run by long poll — the next
 * request goes out as soon as one answers — until the deployment reaches a final state, then stops.
 */
export function DeploymentProgress({ deploymentId }: { deploymentId: string }) {
  const qc = useQueryClient();
  const { data, error, failureReason, dataUpdatedAt, refetch } = useQuery({
    queryKey: deploymentProgressKey(deploymentId),
    queryFn: ({ signal }) => fetchProgress(qc, deploymentId, signal),
    retry: retryProgress,
    retryDelay: progressRetryDelay,
    // The merge above relies on the previous data; never drop it between polls.
    staleTime: 0,
    gcTime: 5 * 60_000,
  });

  // The loop: each answer (news or "unchanged" at the bound) sends the next long poll, until the run is over. A
  // request still in flight (a refetch on window focus) is joined, not cancelled.
  const live = data !== undefined && !isProgressTerminal(data.state);
  useEffect(() => {
    if (live) void refetch({ cancelRefetch: false });
  }, [live, dataUpdatedAt, refetch]);

  // A new state shows on the rest of the page (state badge, buttons) at once, then the deployment is read again for
  // whatever else the change brings (an applied manifest, a finished time).
  const seenState = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!data || seenState.current === data.state) return;
    const first = seenState.current === undefined;
    seenState.current = data.state;
    const detail = qc.getQueryData<DeploymentView>(deploymentKeys.detail(deploymentId));
    if (!detail || (first && detail.state === data.state)) return;
    qc.setQueryData<DeploymentView>(deploymentKeys.detail(deploymentId), {
      ...detail,
      state: data.state as DeploymentView["state"],
      startedAt: data.startedAt,
      finishedAt: data.finishedAt,
      resultMessage: data.resultMessage,
      cancelRequested: data.cancelRequested,
    });
    void qc.invalidateQueries({ queryKey: deploymentKeys.all, predicate: (q) => q.queryKey[3] !== "progress" });
  }, [data, deploymentId, qc]);

  const logRef = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const lineCount = data?.logs.length ?? 0;
  useEffect(() => {
    const el = logRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [lineCount]);

  const failure = error ?? failureReason;
  if (failure && !data) {
    return (
      <p role="alert" className="text-sm text-red-700">
        Could not load the progress: {failure.message}
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
