import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { TMatrixResult } from "@/lib/applications/matrix-schemas";

const RESULT: Record<TMatrixResult, { label: string; tone: BadgeTone }> = {
  succeeded: { label: "succeeded", tone: "green" },
  failed: { label: "failed", tone: "red" },
  syncing: { label: "syncing", tone: "blue" },
  "awaiting-approval": { label: "awaiting approval", tone: "yellow" },
  drifted: { label: "drifted", tone: "yellow" },
  rejected: { label: "rejected", tone: "neutral" },
  cancelled: { label: "cancelled", tone: "neutral" },
  none: { label: "nothing yet", tone: "neutral" },
};

/** An application's last deployment or sync result, the same words for push and pull (matrix, Applications list). */
export function ResultBadge({ state, message }: { state: TMatrixResult; message?: string | null | undefined }) {
  const result = RESULT[state];
  return (
    <Badge tone={result.tone} title={message ?? undefined}>
      {result.label}
    </Badge>
  );
}
