import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { TDeploymentState } from "@/lib/deployments/states";

const TONE: Record<TDeploymentState, BadgeTone> = {
  "pending-approval": "yellow",
  approved: "blue",
  queued: "blue",
  running: "purple",
  succeeded: "green",
  failed: "red",
  rejected: "red",
  cancelled: "neutral",
  superseded: "neutral",
  "plan-changed": "yellow",
};

const LABEL: Record<TDeploymentState, string> = {
  "pending-approval": "pending approval",
  approved: "approved",
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  rejected: "rejected",
  cancelled: "cancelled",
  superseded: "superseded",
  "plan-changed": "plan changed",
};

export function DeploymentStateBadge({ state }: { state: TDeploymentState }) {
  return (
    <Badge tone={TONE[state]} className="whitespace-nowrap">
      <span data-testid="deployment-state">{LABEL[state]}</span>
    </Badge>
  );
}
