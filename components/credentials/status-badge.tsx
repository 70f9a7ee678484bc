import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { TRotationStatus } from "@/lib/credentials/schemas";

const STATUS: Record<TRotationStatus, { tone: BadgeTone; label: string; title: string }> = {
  ok: { tone: "green", label: "OK", title: "Within its policy's age limit and not near expiry" },
  "due-soon": { tone: "yellow", label: "Due soon", title: "Within the warning window of its age limit or expiry" },
  "rotation-failed": {
    tone: "red",
    label: "Rotation failed",
    title: "The last automatic rotation failed; the current credential stays in use and Wharf retries",
  },
  overdue: { tone: "red", label: "Overdue", title: "Older than its policy's maximum age" },
  expired: { tone: "red", label: "Expired", title: "Past its own expiry; the cluster will refuse it" },
};

/** Rotation status as a coloured badge: ok green, due-soon yellow, rotation-failed, overdue and expired red. */
export function CredentialStatusBadge({ status }: { status: TRotationStatus }) {
  const s = STATUS[status];
  return (
    <Badge tone={s.tone} title={s.title}>
      <span data-testid="credential-status" data-status={status}>
        {s.label}
      </span>
    </Badge>
  );
}
