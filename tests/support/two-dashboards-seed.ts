// Seeds the database two `next start` processes share (tests/support/two-dashboards.ts, for
// tests/e2e/two-dashboards.spec.ts and tests/bench/many-dashboards.ts) and hosts the sandbox cluster their executors
// deploy to:
//   tsx --conditions=react-server tests/support/two-dashboards-seed.ts [targets] [approvals]
// with DATABASE_URL, WHARF_DATA_DIR and WHARF_MASTER_KEY set as for the dashboards. The sandbox lives here, not in the
// spec, because it signs ServiceAccount tokens in its own process (`mintToken`), which createSandboxPushTarget needs.
// Arguments: how many push targets (default 8) and the approvals each requires (default 0). Prints one JSON line
// { targets: [{ targetId, namespace }], token, rotatingTargetId, rotatingCredentialId } once seeded, then keeps the
// sandbox serving until SIGTERM.
import "reflect-metadata";
import { recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { dbFor } from "@/lib/db/client";
import { startSandbox } from "@/lib/kube/sandbox";
import { createCaller } from "./api";
import { createSandboxPushTarget } from "./push-target";

const databaseUrl = process.env.DATABASE_URL ?? "";
if (!databaseUrl) throw new Error("DATABASE_URL is not set");

const sandbox = await startSandbox({ port: 0, rolloutDelayMs: 200 });
const db = dbFor(databaseUrl);

// One target per deployment: a newer queued deployment on the same target supersedes an older one.
const count = Number(process.argv[2] ?? 8);
const requiredApprovals = Number(process.argv[3] ?? 0);
const targets = await Promise.all(
  Array.from({ length: count }, () => createSandboxPushTarget(sandbox, { databaseUrl, requiredApprovals })),
);

// A second target whose credential is due for rotation under an auto-rotating policy; its ServiceAccount may ask
// for a new token for itself (TokenRequest), as rotation needs.
const rotating = await createSandboxPushTarget(sandbox, {
  databaseUrl,
  environment: "two-dashboards",
  canRequestOwnToken: true,
});
const policy = await db.credentialPolicy.create({
  data: { name: "two-dashboards-rotate", maxAgeDays: 1, warnBeforeDays: 0, autoRotate: true },
});
await db.target.update({ where: { id: rotating.targetId }, data: { credentialPolicyId: policy.id } });
const old = await db.credential.findFirstOrThrow({ where: { targetId: rotating.targetId, state: "active" } });
await db.credential.update({ where: { id: old.id }, data: { lastRotatedAt: new Date(Date.now() - 3 * 86_400_000) } });
await recomputeCredentialStatusColumns(db, { where: { id: old.id } });

const caller = await createCaller("admin");
await db.$disconnect();

console.log(
  JSON.stringify({
    targets: targets.map((t) => ({ targetId: t.targetId, namespace: t.namespaces[0] })),
    token: caller.token,
    rotatingTargetId: rotating.targetId,
    rotatingCredentialId: old.id,
  }),
);

process.on("SIGTERM", () => {
  void sandbox.stop().then(() => process.exit(0));
});
