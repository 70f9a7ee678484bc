import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { HealthStatusCode } from "@/lib/kube/health";

/** Each health with its own glyph as well as its colour and word, so it reads without colour vision. */
const HEALTH: Record<HealthStatusCode, { tone: BadgeTone; icon: string }> = {
  Healthy: { tone: "green", icon: "✓" },
  Progressing: { tone: "blue", icon: "↻" },
  Degraded: { tone: "red", icon: "✕" },
  Suspended: { tone: "purple", icon: "⏸" },
  Missing: { tone: "yellow", icon: "∅" },
  Unknown: { tone: "neutral", icon: "?" },
};

/** An object's or application's health (lib/kube/health.ts codes): glyph and word; the message, if any, as tooltip. */
export function HealthBadge({ status, message }: { status: HealthStatusCode; message?: string | undefined }) {
  const { tone, icon } = HEALTH[status];
  return (
    <Badge tone={tone} title={message}>
      <span aria-hidden="true" className="mr-1">
        {icon}
      </span>
      <span>{status}</span>
    </Badge>
  );
}
