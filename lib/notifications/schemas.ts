import { z } from "zod";

/** What a sink can subscribe to. */
export const NOTIFICATION_EVENTS = [
  "rotation.due",
  "rotation.overdue",
  "rotation.failed",
  "deployment.awaiting-approval",
  "deployment.failed",
  "deployment.succeeded",
  "sync.failed",
  "drift.detected",
  "agent.stale",
  "health.degraded",
  "audit.stream",
] as const;
export const ZNotificationEvent = z.enum(NOTIFICATION_EVENTS);
export type TNotificationEvent = z.infer<typeof ZNotificationEvent>;

/** The test button's event: sent to one sink on request, never subscribed to. */
export const TEST_EVENT = "test" as const;
export type TDeliveryEvent = TNotificationEvent | typeof TEST_EVENT;

export const NOTIFICATION_EVENT_LABELS: Record<TNotificationEvent, string> = {
  "rotation.due": "Rotation due soon",
  "rotation.overdue": "Rotation overdue or credential expired",
  "rotation.failed": "Automatic rotation failed",
  "deployment.awaiting-approval": "Deployment awaiting approval",
  "deployment.failed": "Deployment failed",
  "deployment.succeeded": "Deployment succeeded",
  "sync.failed": "Pull sync failed",
  "drift.detected": "Drift detected",
  "agent.stale": "Agent stopped reporting",
  "health.degraded": "Application health degraded",
  "audit.stream": "Every audit event (JSON Lines stream)",
};

/** The sink form's event picker, by what the events are about; every event is in exactly one group. */
export const NOTIFICATION_EVENT_GROUPS: { title: string; hint?: string; events: TNotificationEvent[] }[] = [
  { title: "Credentials", events: ["rotation.due", "rotation.overdue", "rotation.failed"] },
  { title: "Deployments", events: ["deployment.awaiting-approval", "deployment.failed", "deployment.succeeded"] },
  {
    title: "Applications",
    hint: "Sent when an application turns Degraded; once per revision.",
    events: ["health.degraded"],
  },
  {
    title: "Pull targets",
    hint: "Sent once when it starts; again only after the repository has synced (or the agent has reported) in between.",
    events: ["sync.failed", "drift.detected", "agent.stale"],
  },
  {
    title: "Audit trail",
    hint: "Every audit event in order as signed JSON Lines batches, resumed from the last acknowledged one, and each signed checkpoint — for a SIEM.",
    events: ["audit.stream"],
  },
];

export const DELIVERY_STATES = ["pending", "delivered", "failed"] as const;
export const ZDeliveryState = z.enum(DELIVERY_STATES);
export type TDeliveryState = z.infer<typeof ZDeliveryState>;

/** A delivery is given up after this many attempts. */
export const MAX_DELIVERY_ATTEMPTS = 8;

const ZSinkUrl = z
  .string()
  .trim()
  .max(2000, "At most 2000 characters.")
  .url("Enter an http:// or https:// URL.")
  .refine((u) => /^https?:\/\//i.test(u), { message: "Enter an http:// or https:// URL." });

const ZEvents = z
  .array(ZNotificationEvent)
  .min(1, "Pick at least one event.")
  .transform((events) => [...new Set(events)]);

export const ZCreateNotificationSink = z.object({
  name: z.string().trim().min(1, "Give the sink a name.").max(100, "At most 100 characters."),
  url: ZSinkUrl,
  events: ZEvents,
  enabled: z.boolean().default(true),
});
export type TCreateNotificationSink = z.infer<typeof ZCreateNotificationSink>;
export type TCreateNotificationSinkInput = z.input<typeof ZCreateNotificationSink>;

export const ZUpdateNotificationSink = z.object({
  name: ZCreateNotificationSink.shape.name.optional(),
  url: ZSinkUrl.optional(),
  events: ZEvents.optional(),
  enabled: z.boolean().optional(),
  /** Generates a new signing secret (shown once in the answer); the old one stops signing at once. */
  rotateSecret: z.boolean().optional(),
});
export type TUpdateNotificationSink = z.infer<typeof ZUpdateNotificationSink>;

/** Query of `GET /api/notification-sinks`: by name (unique), keyset-paginated. */
export const ZNotificationSinkListQuery = z.object({
  /** Opaque (lib/keyset-cursor.ts): the previous page's `nextCursor`. */
  cursor: z.string().max(600).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TNotificationSinkListQuery = z.infer<typeof ZNotificationSinkListQuery>;

export const ZDeliveryListFilter = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(25),
});
export type TDeliveryListFilter = z.infer<typeof ZDeliveryListFilter>;

export const ZNotificationSinkView = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  events: z.array(ZNotificationEvent),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  deliveries: z
    .object({ pending: z.number().int(), delivered: z.number().int(), failed: z.number().int() })
    .describe("Delivery counts by state, for the list."),
  auditStream: z
    .object({
      afterSeq: z.number().int().describe("The last audit seq the sink acknowledged (0: none yet)."),
      lastDeliveredAt: z.iso.datetime().nullable(),
      attempts: z.number().int().describe("Failed attempts of the current batch (0: not retrying)."),
      nextAttemptAt: z.iso.datetime().nullable().describe("When a failed batch is sent again; null when not retrying."),
      lastError: z.string().nullable(),
    })
    .nullable()
    .describe("Where streaming the audit trail stands (audit.stream sinks; null before its first pass)."),
});
export type NotificationSinkView = z.output<typeof ZNotificationSinkView>;

export const ZNotificationSinkPage = z.object({
  items: z.array(ZNotificationSinkView),
  nextCursor: z.string().nullable().describe("Pass back as `cursor` for the next page; null on the last one."),
});
export type NotificationSinkPage = z.output<typeof ZNotificationSinkPage>;

/** The answer to create (and to a secret rotation): the only time the signing secret is shown. */
export const ZNotificationSinkWithSecret = z.object({ sink: ZNotificationSinkView, secret: z.string() });
export type NotificationSinkWithSecret = z.output<typeof ZNotificationSinkWithSecret>;

export const ZNotificationDeliveryView = z.object({
  id: z.string(),
  sinkId: z.string(),
  event: z.union([ZNotificationEvent, z.literal(TEST_EVENT)]),
  state: ZDeliveryState,
  attempts: z.number().int(),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type NotificationDeliveryView = z.output<typeof ZNotificationDeliveryView>;

export const ZDeliveryListPage = z.object({
  items: z.array(ZNotificationDeliveryView),
  nextCursor: z.string().nullable(),
});
export type DeliveryListPage = z.output<typeof ZDeliveryListPage>;

export const ZTestDeliveryResult = z.object({ delivery: ZNotificationDeliveryView, ok: z.boolean() });
export type TestDeliveryResult = z.output<typeof ZTestDeliveryResult>;

/** The JSON body of every delivery: Slack-compatible (`text`, `blocks`), with Wharf's own fields under `wharf`. */
export interface NotificationBody {
  text: string;
  blocks?: unknown[];
  wharf: { event: TDeliveryEvent; [key: string]: unknown };
}
