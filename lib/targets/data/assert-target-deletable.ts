import "server-only";
import type { Tx } from "@/lib/db";
import type { TargetRow } from "./to-target-view";

/**
 * The one place that decides whether a target may be deleted, called inside the delete's transaction. Deleting a
 * target with a deployment in flight would strand it, so the deployments issue makes this throw (409) while any
 * deployment of the target is running. Until deployments exist, every target is deletable.
 */
export async function assertTargetDeletable(_tx: Tx, _target: TargetRow): Promise<void> {
  // Intentionally empty until the Deployment model exists.
}
