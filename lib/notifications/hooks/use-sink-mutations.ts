"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { notificationKeys } from "../query";
import type {
  NotificationSinkView,
  NotificationSinkWithSecret,
  TCreateNotificationSinkInput,
  TestDeliveryResult,
  TUpdateNotificationSink,
} from "../schemas";

/** Creates a sink; the answer's `secret` is shown once and never again. */
export function useCreateSink() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TCreateNotificationSinkInput) =>
      apiFetch<NotificationSinkWithSecret>("/api/notification-sinks", { method: "POST", body: input }),
    onSettled: () => refetchAfterWrite(qc, notificationKeys.all),
  });
}

/** Changes a sink (enable/disable, events, URL) or rotates its secret (`secret` in the answer, once). */
export function useUpdateSink(sinkId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TUpdateNotificationSink) =>
      apiFetch<{ sink: NotificationSinkView; secret: string | null }>(
        `/api/notification-sinks/${encodeURIComponent(sinkId)}`,
        { method: "PATCH", body: input },
      ),
    onSettled: () => refetchAfterWrite(qc, notificationKeys.all),
  });
}

export function useDeleteSink(sinkId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<null>(`/api/notification-sinks/${encodeURIComponent(sinkId)}`, { method: "DELETE" }),
    onSettled: () => refetchAfterWrite(qc, notificationKeys.all),
  });
}

/** The test button: sends a signed test notification now and answers with the sink's response. */
export function useTestSink(sinkId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () =>
      apiFetch<TestDeliveryResult>(`/api/notification-sinks/${encodeURIComponent(sinkId)}/test`, { method: "POST" }),
    onSettled: () => refetchAfterWrite(qc, notificationKeys.all),
  });
}
