import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { generatePassword, hashPassword } from "@/lib/auth/secrets";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export interface SeedResult {
  seeded: boolean;
  adminEmail: string;
  /** Only when Wharf generated it: printed once, never stored in plaintext. */
  generatedPassword: string | null;
}

/** The demo world: targets in both modes and environments, one policy per environment class. */
const DEMO_TARGETS = [
  { name: "shop-dev", environment: "dev", mode: "push", ownerTeam: "storefront", requiredApprovals: 0 },
  { name: "shop-staging", environment: "staging", mode: "push", ownerTeam: "storefront", requiredApprovals: 1 },
  { name: "payments-prod", environment: "prod", mode: "push", ownerTeam: "payments", requiredApprovals: 2 },
  { name: "web-staging", environment: "staging", mode: "pull", ownerTeam: "web", requiredApprovals: 0 },
  { name: "edge-prod", environment: "prod", mode: "pull", ownerTeam: "edge", requiredApprovals: 1 },
] as const;

/**
 * Seeds an empty database: the first admin (WHARF_ADMIN_EMAIL / WHARF_ADMIN_PASSWORD, else a generated password),
 * credential policies and, unless WHARF_SEED_DEMO=false, demo targets. Does nothing when any user exists.
 */
export async function seedIfEmpty(opts: { serverUrl: string; caBundle: string | null }): Promise<SeedResult> {
  const e = env();
  if ((await db().user.count()) > 0) return { seeded: false, adminEmail: e.WHARF_ADMIN_EMAIL, generatedPassword: null };
  const generatedPassword = e.WHARF_ADMIN_PASSWORD ? null : generatePassword();
  const passwordHash = await hashPassword(e.WHARF_ADMIN_PASSWORD ?? generatedPassword ?? "");
  await db().$transaction(async (tx) => {
    const admin = await tx.user.create({ data: { email: e.WHARF_ADMIN_EMAIL, name: "Wharf admin", role: "admin", passwordHash } });
    await recordAuditEvent(tx, { actor: SYSTEM_ACTOR, action: "user.created", subjectType: "user", subjectId: admin.id, details: { role: "admin", reason: "first start" } });
    if (e.WHARF_SEED_DEMO === "false") return;
    const prodPolicy = await tx.credentialPolicy.create({
      data: { name: "production", maxAgeDays: 30, warnBeforeDays: 7, minReplaceRole: "admin", autoRotate: true, environment: "prod" },
    });
    const stagingPolicy = await tx.credentialPolicy.create({
      data: { name: "pre-production", maxAgeDays: 90, warnBeforeDays: 14, minReplaceRole: "admin", autoRotate: false, environment: "staging" },
    });
    for (const p of [prodPolicy, stagingPolicy]) {
      await recordAuditEvent(tx, { actor: SYSTEM_ACTOR, action: "policy.created", subjectType: "policy", subjectId: p.id, details: { name: p.name } });
    }
    for (const t of DEMO_TARGETS) {
      const target = await tx.target.create({
        data: {
          ...t,
          serverUrl: opts.serverUrl,
          caBundle: opts.caBundle,
          defaultNamespace: t.name,
          allowedNamespaces: JSON.stringify([t.name]),
        },
      });
      await recordAuditEvent(tx, { actor: SYSTEM_ACTOR, action: "target.created", subjectType: "target", subjectId: target.id, targetId: target.id, details: { name: t.name, demo: true } });
    }
  });
  return { seeded: true, adminEmail: e.WHARF_ADMIN_EMAIL, generatedPassword };
}
