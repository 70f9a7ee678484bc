import "server-only";
import { credentialStatusWhere } from "@/lib/credentials/data/count-credential-statuses";
import { CREDENTIAL_PUBLIC_SELECT, resolvePolicyFrom, toCredentialView } from "@/lib/credentials/views";
import { db } from "@/lib/db";
import { enqueueNotification } from "@/lib/notifications/data/enqueue-notification";
import { rotationDueReason, type TRotationReason } from "@/lib/credentials/rotation-due";

export interface DueRotation {
  credentialId: string;
  targetName: string;
  reason: TRotationReason;
}

const TARGET_FOR_POLICY = { select: { name: true, mode: true, environment: true, credentialPolicyId: true } } as const;

/**
 * Active service-account-token credentials whose policy rotates them automatically and whose time has come (policy
 * max age or 80 % of the token's lifetime, whichever first), skipping those still in their retry backoff; in order
 * of last rotation, oldest first. Credentials without an autoRotate policy are never rotated by Wharf.
 *
 * Runs on every scheduler tick, so it reads only the rows past their stored `autoRotateAt` (an index range; the column
 * is nextRotation under the governing policy, kept by status-columns.ts) and out of backoff. Each of those few is then
 * checked by the rule itself (rotationDueReason, with the target's mode and policy as they are now), which also names
 * the reason.
 */
export async function findDueRotations(opts: { now?: Date } = {}): Promise<DueRotation[]> {
  const now = opts.now ?? new Date();
  const [rows, policies] = await Promise.all([
    db().credential.findMany({
      where: {
        state: "active",
        autoRotateAt: { lte: now },
        kind: "service-account-token",
        OR: [{ nextRotationAttemptAt: null }, { nextRotationAttemptAt: { lte: now } }],
      },
      select: {
        id: true,
        issuedAt: true,
        expiresAt: true,
        lastRotatedAt: true,
        nextRotationAttemptAt: true,
        target: TARGET_FOR_POLICY,
      },
      orderBy: { lastRotatedAt: "asc" },
    }),
    db().credentialPolicy.findMany(),
  ]);
  const due: DueRotation[] = [];
  for (const row of rows) {
    if (row.target.mode !== "push") continue;
    const policy = resolvePolicyFrom(row.target, policies);
    if (!policy?.autoRotate) continue;
    const reason = rotationDueReason({
      lastRotatedAt: row.lastRotatedAt,
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      maxAgeDays: policy.maxAgeDays,
      autoRotate: true,
      now,
      nextAttemptAt: row.nextRotationAttemptAt,
    });
    if (reason) due.push({ credentialId: row.id, targetName: row.target.name, reason });
  }
  return due;
}

/** The statuses a rotation notice announces: `rotation.due` in the warning window, `rotation.overdue` past a limit. */
const NOTICE_STATUSES = ["due-soon", "overdue", "expired"] as const;

/**
 * Queues `rotation.due` for credentials in their warning window and `rotation.overdue` for overdue or expired ones.
 * Keys include the credential and its last rotation, so each condition is announced once per credential generation
 * however many ticks see it. Reads only credentials in those statuses (conditions on the stored boundaries), and
 * builds views for those alone. Returns how many deliveries were queued.
 */
export async function enqueueRotationNotices(opts: { now?: Date } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const sinks = await db().notificationSink.count({ where: { enabled: true } });
  if (sinks === 0) return 0;
  const [rows, policies] = await Promise.all([
    db().credential.findMany({
      where: { state: "active", OR: NOTICE_STATUSES.map((status) => credentialStatusWhere(status, now)) },
      select: {
        ...CREDENTIAL_PUBLIC_SELECT,
        target: { select: { name: true, environment: true, credentialPolicyId: true } },
      },
    }),
    db().credentialPolicy.findMany(),
  ]);
  let queued = 0;
  for (const row of rows) {
    const view = toCredentialView(row, {
      targetName: row.target.name,
      policy: resolvePolicyFrom(row.target, policies),
      now,
    });
    const event =
      view.status === "due-soon"
        ? "rotation.due"
        : view.status === "overdue" || view.status === "expired"
          ? "rotation.overdue"
          : null;
    if (!event) continue;
    queued += await enqueueNotification({
      input: {
        event,
        data: {
          credentialId: view.id,
          targetId: view.targetId,
          targetName: view.targetName,
          fingerprint: view.fingerprint,
          expiresAt: view.expiresAt,
          dueAt: view.nextRotationDue,
        },
      },
      dedupKey: `${event}:${view.id}:${view.lastRotatedAt}`,
      now,
    });
  }
  return queued;
}
