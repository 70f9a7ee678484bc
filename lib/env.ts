import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { ZGitLocalRoots } from "@/lib/process/git";

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type DurationUnit = keyof typeof DURATION_UNITS_MS;

/**
 * The one duration style of Wharf's variables: a whole number and a unit, `500ms`, `30s`, `5m`, `24h`, `7d` (case and
 * spaces ignored), or `off` → null. A bare number is read in `bareUnit` where a variable allows one (the old names, and
 * WHARF_SCOPE_CHECK_INTERVAL's seconds); undefined when the text is not a duration.
 */
export function parseDuration(value: string, opts: { bareUnit?: DurationUnit } = {}): number | null | undefined {
  const raw = value.trim().toLowerCase();
  if (raw === "off") return null;
  const m = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(raw);
  const unit = (m?.[2] as DurationUnit | undefined) ?? opts.bareUnit;
  return m && unit ? Number(m[1]) * DURATION_UNITS_MS[unit] : undefined;
}

/** `3600000` → `1h`: the largest unit that divides the value, for messages and defaults. */
export function formatDuration(ms: number): string {
  const unit = (["d", "h", "m", "s"] as const).find((u) => ms % DURATION_UNITS_MS[u] === 0);
  return unit ? `${ms / DURATION_UNITS_MS[unit]}${unit}` : `${ms}ms`;
}

interface DurationRule {
  min: number;
  max: number;
  /** Keep WHARF_SCOPE_CHECK_INTERVAL's older spellings working: `0` for off, a bare number of seconds. */
  zeroIsOff?: boolean;
  bareUnit?: DurationUnit;
}

/** Milliseconds within the rule's range, null for `off` where `off` is allowed, else an issue for the variable. */
function checkDuration(value: string, ctx: z.RefinementCtx, rule: DurationRule & { off: boolean }): number | null {
  const ms = rule.zeroIsOff && value.trim() === "0" ? null : parseDuration(value, rule);
  if (ms === null && rule.off) return null;
  if (ms === undefined || ms === null || ms < rule.min || ms > rule.max) {
    ctx.addIssue({
      code: "custom",
      message: `must be ${rule.off ? "off or " : ""}a duration from ${formatDuration(rule.min)} to ${formatDuration(rule.max)} such as 30s, 5m or 24h`,
    });
    return z.NEVER;
  }
  return ms;
}

/** A duration variable, in milliseconds. */
const duration = (fallback: string, rule: DurationRule) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx): number => checkDuration(value, ctx, { ...rule, off: false }) ?? z.NEVER);

/** A duration variable that can be `off` (null), in milliseconds. */
const durationOrOff = (fallback: string, rule: DurationRule) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => checkDuration(value, ctx, { ...rule, off: true }));

/**
 * Durations whose variable was renamed when every duration took one style: the old name is still read, in its old
 * unit, with one deprecation line per process naming the new one. The new name wins when both are set.
 */
export const DEPRECATED_DURATIONS = [
  { old: "WHARF_SESSION_TTL_HOURS", name: "WHARF_SESSION_TTL", unit: "h" },
  { old: "WHARF_EXECUTOR_LEASE_SECONDS", name: "WHARF_EXECUTOR_LEASE", unit: "s" },
  { old: "WHARF_EXECUTOR_POLL_MS", name: "WHARF_EXECUTOR_POLL_INTERVAL", unit: "ms" },
  { old: "WHARF_ROLLOUT_TIMEOUT_SECONDS", name: "WHARF_ROLLOUT_TIMEOUT", unit: "s" },
  { old: "WHARF_ROTATION_INTERVAL_SECONDS", name: "WHARF_ROTATION_INTERVAL", unit: "s" },
  { old: "WHARF_NOTIFICATIONS_POLL_SECONDS", name: "WHARF_NOTIFICATIONS_INTERVAL", unit: "s" },
] as const satisfies readonly { old: string; name: string; unit: DurationUnit }[];

const warnedDeprecated = new Set<string>();

/** The environment with each deprecated duration moved to its new name (a bare number gets its old unit). */
function withRenamedDurations(source: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...source };
  for (const d of DEPRECATED_DURATIONS) {
    const value = out[d.old];
    if (value === undefined) continue;
    delete out[d.old];
    const replaced = out[d.name] === undefined;
    if (replaced) out[d.name] = /^\s*\d+\s*$/.test(value) ? `${value.trim()}${d.unit}` : value;
    if (warnedDeprecated.has(d.old)) continue;
    warnedDeprecated.add(d.old);
    console.warn(
      replaced
        ? `[wharf] ${d.old} is deprecated: set ${d.name}=${out[d.name]} instead (durations read 30s, 5m, 24h).`
        : `[wharf] ${d.old} is deprecated and ignored: ${d.name} is set.`,
    );
  }
  return out;
}

/** `10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`: an address, or a network with a prefix length that fits its family. */
function isIpOrCidr(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Wharf's configuration, validated once. Nothing else reads `process.env`; `.env.example` documents every variable.
 * Relative paths resolve against the working directory, which `npm start` sets to the repository root.
 */
const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .default("file:./data/wharf.db")
    .refine((u) => u.startsWith("file:") || /^postgres(ql)?:\/\//.test(u), {
      message: "must be a file: URL (SQLite) or a postgresql:// URL",
    }),
  WHARF_DATA_DIR: z.string().default("./data"),
  /** base64 of 32 random bytes; when unset, `<WHARF_DATA_DIR>/master.key` is generated (mode 0600). */
  WHARF_MASTER_KEY: z.string().optional(),
  /** Comma-separated base64 keys still accepted for decryption while `npm run wharf -- rekey` moves to the new key. */
  WHARF_PREVIOUS_MASTER_KEYS: z.string().optional(),
  WHARF_ADMIN_EMAIL: z.string().email().default("admin@wharf.local"),
  WHARF_ADMIN_PASSWORD: z.string().min(12).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** The origin browsers use to reach Wharf; cookie-authenticated mutations from any other Origin are refused. */
  WHARF_PUBLIC_URL: z.string().url().optional(),
  /**
   * Comma-separated IP addresses and CIDR ranges of the reverse proxies in front of Wharf. Only a request whose TCP
   * peer is one of them may set the client address (X-Forwarded-For) and the public host and scheme
   * (X-Forwarded-Host/-Proto); from anyone else those headers are ignored. Empty (the default): none are trusted.
   */
  WHARF_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const entries = value
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean);
      const bad = entries.filter((e) => !isIpOrCidr(e));
      if (bad.length) {
        ctx.addIssue({
          code: "custom",
          message: `not an IP address or CIDR range: ${bad.join(", ")} (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)`,
        });
        return z.NEVER;
      }
      return entries;
    }),
  /** Session lifetime. */
  WHARF_SESSION_TTL: duration("12h", { min: 3_600_000, max: 30 * 86_400_000 }),
  /** Failed sign-ins allowed per account and client address within one minute; the next one gets 429. */
  WHARF_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  WHARF_SEED_DEMO: z.enum(["true", "false"]).default("true"),
  /** The push executor runs in every dashboard process unless `off` (e.g. a read-only replica); see instrumentation.ts. */
  WHARF_EXECUTOR: z.enum(["on", "off"]).default("on"),
  /** How long an executor's claim on a deployment lasts without a heartbeat; another process takes over after it. */
  WHARF_EXECUTOR_LEASE: duration("30s", { min: 3000, max: 3_600_000 }),
  /** How often an idle executor looks for queued deployments (approvals also wake it at once in-process). */
  WHARF_EXECUTOR_POLL_INTERVAL: duration("2s", { min: 100, max: 60_000 }),
  /** How long a deployment waits for its workloads to roll out before it fails. */
  WHARF_ROLLOUT_TIMEOUT: duration("5m", { min: 1000, max: 6 * 3_600_000 }),
  /** Automatic credential rotation runs in every dashboard process unless `off` (notification delivery and the audit flood summaries run regardless); a lease lets one work at a time. */
  WHARF_ROTATION: z.enum(["on", "off"]).default("on"),
  /** How often the rotation scheduler looks for credentials due for rotation (and for due/overdue notifications). */
  WHARF_ROTATION_INTERVAL: duration("1m", { min: 5000, max: 86_400_000 }),
  /**
   * The scope sweeper (every dashboard process) checks each active cluster credential with a SelfSubjectRulesReview
   * soon after it is stored or rotated and again after this long, flagging cluster-admin-equivalent ones; parsed to
   * milliseconds, null when `off`/`0`.
   */
  WHARF_SCOPE_CHECK_INTERVAL: durationOrOff("24h", {
    min: 60_000,
    max: 366 * 86_400_000,
    zeroIsOff: true,
    bareUnit: "s",
  }),
  /**
   * How often the audit chain's head is signed into `<data dir>/audit-checkpoints.jsonl` (when it moved), so `audit
   * verify` detects removed newest rows and a rewritten chain; `off` leaves only the checkpoints verify writes.
   */
  WHARF_AUDIT_CHECKPOINT_INTERVAL: durationOrOff("5m", { min: 10_000, max: 7 * 86_400_000 }),
  /** How often pending notification deliveries (webhook sinks) are sent and retried. */
  WHARF_NOTIFICATIONS_INTERVAL: duration("5s", { min: 1000, max: 3_600_000 }),
  /**
   * Comma-separated absolute directories `file://` Git repositories may come from (push sources and repository
   * bindings); none by default, so a deployer cannot make the dashboard read the host's repositories or probe its
   * files. `npm start` adds its own demo repository directory for the in-process demo agent.
   */
  WHARF_GIT_LOCAL_ROOTS: ZGitLocalRoots,
  /** `npm start` runs the sandbox cluster (a Kubernetes API emulator) for the demo; `off` when you bring real clusters. */
  WHARF_SANDBOX: z.enum(["on", "off"]).default("on"),
  WHARF_SANDBOX_PORT: z.coerce.number().int().min(1).max(65535).default(6443),
  /**
   * Bearer token Prometheus sends to `GET /api/metrics` (`Authorization: Bearer <token>`). Unset: the endpoint is
   * off (404). At least 16 characters, so it cannot be guessed.
   */
  WHARF_METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * The environments matrix's column order, comma-separated (compared without case); environments of targets not in
   * the list follow it alphabetically.
   */
  WHARF_ENVIRONMENT_ORDER: z
    .string()
    .default("dev,staging,prod")
    .transform((value) => [
      ...new Set(
        value
          .split(",")
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      ),
    ]),
  /** OIDC sign-in ("Sign in with …") is offered when issuer, client id and secret are all set. */
  WHARF_OIDC_ISSUER: z.string().url().optional(),
  WHARF_OIDC_CLIENT_ID: z.string().min(1).optional(),
  WHARF_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The ID-token (or userinfo) claim holding the user's groups; a string or an array of strings. */
  WHARF_OIDC_ROLE_CLAIM: z.string().min(1).default("groups"),
  /** `group=role,group=role`: the highest role any of the user's groups maps to wins; no match means viewer. */
  WHARF_OIDC_ROLE_MAP: z.string().default(""),
  /** The provider's name on the login button ("Sign in with <name>"). */
  WHARF_OIDC_DISPLAY_NAME: z.string().min(1).default("single sign-on"),
});

export type TEnv = z.infer<typeof ZEnv> & { dataDir: string; publicUrl: string; databaseKind: "sqlite" | "postgresql" };

let cached: TEnv | undefined;

/** Parses the environment on first use and fails with every problem listed, naming the variables. */
export function env(): TEnv {
  if (cached) return cached;
  const parsed = ZEnv.safeParse(withRenamedDurations(process.env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.join(".");
      const renamed = DEPRECATED_DURATIONS.find((d) => d.name === name && process.env[d.name] === undefined);
      return `  ${name}${renamed && process.env[renamed.old] !== undefined ? ` (set as ${renamed.old})` : ""}: ${i.message}`;
    });
    throw new Error(`Invalid Wharf configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  cached = {
    ...e,
    dataDir: path.resolve(e.WHARF_DATA_DIR),
    publicUrl: (e.WHARF_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    databaseKind: e.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgresql",
  };
  return cached;
}

/** For tests that change the environment between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
