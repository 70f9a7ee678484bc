import { Badge } from "@/components/ui/badge";
import type { TMode } from "@/lib/targets/schemas";

const MODE_HINT: Record<TMode, string> = {
  push: "Wharf applies manifests to the cluster with a stored credential",
  pull: "An agent in the cluster pulls and applies what Wharf approves",
};

/** Push targets are blue and pull targets purple, everywhere a mode is shown. */
export function TargetModeBadge({ mode }: { mode: TMode }) {
  return (
    <Badge tone={mode === "push" ? "blue" : "purple"} title={MODE_HINT[mode]}>
      {mode}
    </Badge>
  );
}
