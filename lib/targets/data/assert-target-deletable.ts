import "server-only";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { TargetRow } from "./to-target-view";

/** Deployment states in which the executor has work for the target (or is doing it). */
const IN_FLIGHT_STATES = ["approved", "queued", "running"];

/**
 * The one place that decides whether a target may be deleted, called inside the delete's transaction. Deleting a
 * target with a deployment queued or running would strand the executor mid-apply and lose its record, so it is
 * refused (409) until that deployment finishes or is cancelled.
 */
export async function assertTargetDeletable(tx: Tx, target: TargetRow): Promise<void> {
  const inFlight = await tx.deployment.findFirst({
    where: { targetId: target.id, state: { in: IN_FLIGHT_STATES } },
    orderBy: { createdAt: "asc" },
    select: { id: true, state: true },
  });
  if (inFlight) {
    throw new AppError(
      "TARGET_BUSY",
      `${target.name} has a deployment ${inFlight.state === "running" ? "running" : "waiting to run"} (${inFlight.id}). Wait for it to finish or cancel it, then delete the target.`,
    );
  }
}
