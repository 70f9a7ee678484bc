import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { ZGitLocalRoots } from "@/lib/process/git";

const DURATION_UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `off`/`0` → null; `90`, `90s`, `30m`, `24h`, `7d` → milliseconds (a bare number is seconds). */
const intervalOrOff = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const raw = value.trim().toLowerCase();
      if (raw === "off" || raw === "0") return null;
      const m = /^(\d+)\s*([smhd]?)$/.exec(raw);
      const ms = m ? Number(m[1]) * (DURATION_UNITS_MS[m[2] || "s"] ?? 1000) : NaN;
      if (!(ms >= 60_000 && ms <= 366 * 86_400_000)) {
        ctx.addIssue({
          code: "custom",
          message: "must be off, 0, or a duration from 60s to 366d such as 3600, 30m, 24h or 7d",
        });
        return z.NEVER;
      }
      return ms;
    });

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
  WHARF_SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** Failed sign-ins allowed per account and client address within one minute; the next one gets 429. */
  WHARF_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  WHARF_SEED_DEMO: z.enum(["true", "false"]).default("true"),
  /** The push executor runs in every dashboard process unless `off` (e.g. a read-only replica); see instrumentation.ts. */
  WHARF_EXECUTOR: z.enum(["on", "off"]).default("on"),
  /** How long an executor's claim on a deployment lasts without a heartbeat; another process takes over after it. */
  WHARF_EXECUTOR_LEASE_SECONDS: z.coerce.number().int().min(3).max(3600).default(30),
  /** How often an idle executor looks for queued deployments (approvals also wake it at once in-process). */
  WHARF_EXECUTOR_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** How long a deployment waits for its workloads to roll out before it fails. */
  WHARF_ROLLOUT_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(6 * 3600)
    .default(300),
  /** Automatic credential rotation and notification delivery run in every dashboard process unless `off`; a lease lets one work at a time. */
  WHARF_ROTATION: z.enum(["on", "off"]).default("on"),
  /** How often the rotation scheduler looks for credentials due for rotation (and for due/overdue notifications). */
  WHARF_ROTATION_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 3600)
    .default(60),
  /**
   * The scope sweeper (every dashboard process) checks each active cluster credential with a SelfSubjectRulesReview
   * soon after it is stored or rotated and again after this long, flagging cluster-admin-equivalent ones; parsed to
   * milliseconds, null when `off`/`0`.
   */
  WHARF_SCOPE_CHECK_INTERVAL: intervalOrOff("24h"),
  /** How often pending notification deliveries (webhook sinks) are sent and retried. */
  WHARF_NOTIFICATIONS_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
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
  const parsed = ZEnv.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
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
