import { ZRole } from "@/lib/auth/roles";
import type { Credential, CredentialPolicy } from "@/lib/db/generated/sqlite/client";
import { nextRotation } from "./rotation-due";
import {
  defaultCredentialLabel,
  ZCredentialKind,
  ZCredentialOrigin,
  ZCredentialState,
  type CredentialPolicyView,
  type CredentialView,
} from "./schemas";
import { rotationStatus } from "./status";

/** The columns of a credential row that may leave the data layer: a whitelist, so ciphertext cannot slip out. */
export const CREDENTIAL_PUBLIC_SELECT = {
  id: true,
  targetId: true,
  kind: true,
  state: true,
  keyId: true,
  fingerprint: true,
  subject: true,
  issuedAt: true,
  expiresAt: true,
  lastRotatedAt: true,
  createdAt: true,
  supersededAt: true,
  supersededById: true,
  origin: true,
  rotationError: true,
  rotationFailedAt: true,
  rotationAttempts: true,
  nextRotationAttemptAt: true,
  label: true,
  scopeClusterAdmin: true,
} as const;

export type CredentialPublicRow = Pick<Credential, keyof typeof CREDENTIAL_PUBLIC_SELECT>;

/**
 * Builds the view of a credential row. Takes only the public columns (see CREDENTIAL_PUBLIC_SELECT), so the
 * ciphertext is not even in scope here.
 */
export function toCredentialView(
  row: CredentialPublicRow,
  opts: { targetName: string; policy: CredentialPolicy | null; now: Date },
): CredentialView {
  const active = row.state === "active";
  const computed = active
    ? rotationStatus({
        lastRotatedAt: row.lastRotatedAt,
        expiresAt: row.expiresAt,
        now: opts.now,
        policy: opts.policy,
        rotationError: row.rotationError,
      })
    : null;
  const autoRotate = active && row.kind === "service-account-token" && !!opts.policy?.autoRotate;
  const scheduled = active
    ? nextRotation({
        lastRotatedAt: row.lastRotatedAt,
        issuedAt: row.issuedAt,
        expiresAt: row.expiresAt,
        maxAgeDays: opts.policy?.maxAgeDays ?? null,
        autoRotate,
      })
    : null;
  return {
    id: row.id,
    targetId: row.targetId,
    targetName: opts.targetName,
    // Rows stored before labels existed were backfilled by the migration; this covers one written meanwhile.
    label: row.label ?? defaultCredentialLabel(opts.targetName, row.kind),
    // The stored verdict of the one cluster-admin check (data/check-credential-scope.ts), the same column the
    // comparison's Exposure count reads.
    clusterAdmin: row.scopeClusterAdmin,
    kind: ZCredentialKind.parse(row.kind),
    state: ZCredentialState.parse(row.state),
    fingerprint: row.fingerprint,
    subject: row.subject,
    keyId: row.keyId,
    issuedAt: row.issuedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastRotatedAt: row.lastRotatedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    supersededAt: row.supersededAt?.toISOString() ?? null,
    supersededById: row.supersededById,
    status: computed?.status ?? null,
    nextRotationDue: computed?.nextRotationDue?.toISOString() ?? null,
    policyName: active ? (opts.policy?.name ?? null) : null,
    origin: ZCredentialOrigin.catch("stored").parse(row.origin),
    rotationError: row.rotationError,
    rotationFailedAt: row.rotationFailedAt?.toISOString() ?? null,
    rotationAttempts: row.rotationAttempts,
    nextRotationAttemptAt: row.nextRotationAttemptAt?.toISOString() ?? null,
    autoRotate,
    policyMaxAgeDays: active ? (opts.policy?.maxAgeDays ?? null) : null,
    nextRotationAt: scheduled?.at.toISOString() ?? null,
  };
}

export function toPolicyView(p: CredentialPolicy & { _count?: { targets: number } }): CredentialPolicyView {
  return {
    id: p.id,
    name: p.name,
    maxAgeDays: p.maxAgeDays,
    warnBeforeDays: p.warnBeforeDays,
    minReplaceRole: ZRole.parse(p.minReplaceRole),
    autoRotate: p.autoRotate,
    environment: p.environment,
    explicitTargets: p._count?.targets ?? 0,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/**
 * Which policy governs a target: the one it names explicitly, else the one for its environment, else none.
 * `policies` is every policy (there are few), so callers resolve many targets with one query.
 */
export function resolvePolicyFrom<P extends Pick<CredentialPolicy, "id" | "environment">>(
  target: { credentialPolicyId: string | null; environment: string },
  policies: readonly P[],
): P | null {
  if (target.credentialPolicyId) {
    const explicit = policies.find((p) => p.id === target.credentialPolicyId);
    if (explicit) return explicit;
  }
  return policies.find((p) => p.environment !== null && p.environment === target.environment) ?? null;
}
