import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { TSyncStatus } from "@/lib/applications/schemas";

/** Each status with a glyph as well as its colour and word, so it reads without colour vision. */
const SYNC: Record<TSyncStatus, { tone: BadgeTone; icon: string; label: string }> = {
  Synced: { tone: "green", icon: "✓", label: "Synced" },
  OutOfSync: { tone: "yellow", icon: "≠", label: "OutOfSync" },
  Unknown: { tone: "neutral", icon: "?", label: "Unknown" },
};

/** An application's sync status (lib/applications/schemas.ts SYNC_STATUSES), as Argo CD words it. */
export function SyncStatusBadge({ status }: { status: TSyncStatus }) {
  const { tone, icon, label } = SYNC[status];
  return (
    <Badge tone={tone}>
      <span aria-hidden="true" className="mr-1">
        {icon}
      </span>
      <span>{label}</span>
    </Badge>
  );
}
