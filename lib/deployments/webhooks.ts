import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { ZApplicationName } from "@/lib/applications/schemas";
import { ZGitPath, ZGitUrl } from "./schemas";

/**
 * Git push webhooks, GitHub and GitLab style: reading the headers and payload, and checking the shared secret.
 * Pure functions; the flow that finds bindings and creates requests is in data/receive-git-webhook.ts.
 */

export type WebhookProvider = "github" | "gitlab";

/** What Wharf needs from a push delivery, whichever provider sent it. */
export interface PushEvent {
  provider: WebhookProvider;
  /** The provider's event name (`push`, `ping`, `Push Hook`, …). */
  event: string;
  isPush: boolean;
  /**
   * Provider's delivery id, for the audit trail and the provider's delivery log. Not signed (GitHub signs the body
   * only), so replays are recognised by the body's digest instead; absent for old GitLab versions.
   */
  deliveryId: string | null;
  /** Every URL the payload gives for the repository (clone, SSH, web), as sent. */
  repoUrls: string[];
  /** `refs/heads/main` → `main`; null for tags and other refs. */
  branch: string | null;
  /** The pushed commit (`after`/`checkout_sha`); null when the push deleted the branch. */
  commitSha: string | null;
  /** GitHub's `forced` (the push rewrote the branch); GitLab sends no such flag, so always false there. */
  forced: boolean;
  pusher: string;
  headCommitMessage: string | null;
}

/** Reads the provider from the headers; null when the request is not a GitHub or GitLab webhook. */
export function webhookProviderOf(headers: Headers): WebhookProvider | null {
  if (headers.get("x-github-event")) return "github";
  if (headers.get("x-gitlab-event")) return "gitlab";
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

const ZERO_SHA = /^0+$/;

/**
 * Extracts the push facts from a delivery. Tolerant: unknown fields are ignored, missing ones come back null, so a
 * `ping` or another event still yields its repository for the signature check.
 */
export function parsePushEvent(provider: WebhookProvider, headers: Headers, payload: unknown): PushEvent {
  const p = isRecord(payload) ? payload : {};
  const urls: (string | null)[] = [];
  let event: string;
  let deliveryId: string | null;
  let pusher: string | null;
  let sha: string | null;
  let message: string | null = null;
  let forced = false;
  if (provider === "github") {
    event = headers.get("x-github-event") ?? "";
    deliveryId = headers.get("x-github-delivery");
    const repo = isRecord(p.repository) ? p.repository : {};
    urls.push(
      str(repo.clone_url),
      str(repo.ssh_url),
      str(repo.html_url),
      str(repo.git_url),
      str(repo.url),
      str(repo.svn_url),
    );
    const pusherObj = isRecord(p.pusher) ? p.pusher : {};
    const sender = isRecord(p.sender) ? p.sender : {};
    pusher = str(pusherObj.name) ?? str(sender.login) ?? str(pusherObj.email);
    sha = p.deleted === true ? null : str(p.after);
    forced = p.forced === true;
    const head = isRecord(p.head_commit) ? p.head_commit : {};
    message = str(head.message);
  } else {
    event = headers.get("x-gitlab-event") ?? "";
    deliveryId = headers.get("x-gitlab-event-uuid") ?? headers.get("x-gitlab-webhook-uuid");
    const project = isRecord(p.project) ? p.project : {};
    const repo = isRecord(p.repository) ? p.repository : {};
    urls.push(
      str(project.git_http_url),
      str(project.git_ssh_url),
      str(project.web_url),
      str(project.http_url),
      str(project.ssh_url),
      str(repo.git_http_url),
      str(repo.git_ssh_url),
      str(repo.homepage),
      str(repo.url),
    );
    pusher = str(p.user_name) ?? str(p.user_username);
    sha = str(p.checkout_sha) ?? str(p.after);
    const commits = Array.isArray(p.commits) ? p.commits.filter(isRecord) : [];
    const head = commits.find((c) => c.id === sha) ?? commits[commits.length - 1];
    message = head ? str(head.message) : null;
  }
  if (sha && ZERO_SHA.test(sha)) sha = null;
  const ref = str(p.ref);
  const branch = ref?.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
  const isPush = provider === "github" ? event === "push" : event === "Push Hook";
  return {
    provider,
    event,
    isPush,
    deliveryId: deliveryId ? deliveryId.slice(0, 200) : null,
    repoUrls: [...new Set(urls.filter((u): u is string => u !== null))],
    branch,
    commitSha: sha && /^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(sha) ? sha.toLowerCase() : null,
    forced,
    pusher: (pusher ?? "unknown").slice(0, 200),
    headCommitMessage: message ? message.split("\n")[0]!.slice(0, 200) : null,
  };
}

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  // Compare equal-length digests so the comparison time does not reveal the expected length either.
  const ha = createHmac("sha256", "wharf-compare").update(ab).digest();
  const hb = createHmac("sha256", "wharf-compare").update(bb).digest();
  return timingSafeEqual(ha, hb) && ab.length === bb.length;
}

/** The `X-Hub-Signature-256` value GitHub sends for `body` under `secret`. */
export function githubSignature(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/**
 * Checks a delivery against one binding's secret: GitHub's HMAC-SHA256 of the raw body, or GitLab's token (GitLab
 * sends the secret itself). Constant-time in both cases; a missing header never verifies.
 */
export function verifyWebhook(
  provider: WebhookProvider,
  headers: Headers,
  rawBody: string | Buffer,
  secret: string,
): boolean {
  if (provider === "github") {
    const sent = headers.get("x-hub-signature-256");
    if (!sent || !sent.startsWith("sha256=")) return false;
    return constantTimeEqual(sent.trim().toLowerCase(), githubSignature(secret, rawBody));
  }
  const token = headers.get("x-gitlab-token");
  if (!token) return false;
  return constantTimeEqual(token, secret);
}

/** A branch name as git allows it in `refs/heads/<branch>` (no ranges, no option-like names, no spaces). */
export const ZBranch = z
  .string({ error: "Enter a branch." })
  .trim()
  .min(1, "Enter a branch.")
  .max(255, "Use at most 255 characters.")
  .refine(
    (v) => !v.startsWith("-") && !v.startsWith("refs/") && !/[\s~^:?*[\\]|\.\.|@\{|\/\/|\/$|\.lock$/.test(v),
    "Enter a plain branch name, e.g. main.",
  );

/**
 * Create-form input for a repository binding; the secret is generated by Wharf, never chosen. With `application` (a
 * push application of the target whose Git source is this repository) the binding follows that application: pushes
 * deploy its current ref and path with its render options, so `branch` and `path` may be left out (given, they must
 * be the application's). Without it, `branch` is required and pushes deploy `path` into the default application.
 */
export const ZCreateRepoBinding = z
  .strictObject({
    repoUrl: ZGitUrl.describe(
      "The repository pushes come from (with `application`: that application's, in any spelling).",
    ),
    branch: ZBranch.optional().describe(
      "Required without `application`. With one, its ref (leave it out, or give the same).",
    ),
    path: ZGitPath.optional().describe("Default `.`. With `application`, its path (leave it out, or give the same)."),
    application: ZApplicationName.optional().describe(
      "A push application of this target with a Git source of this repository: pushes to its ref deploy its current path with its render options, into it, and follow changes of its source. Without it, pushes deploy `path` into the target's default application.",
    ),
  })
  .superRefine((v, ctx) => {
    if (!v.application && v.branch === undefined)
      ctx.addIssue({ code: "custom", path: ["branch"], message: "Enter a branch, or choose an application." });
  });
export type TCreateRepoBinding = z.output<typeof ZCreateRepoBinding>;
export type TCreateRepoBindingInput = z.input<typeof ZCreateRepoBinding>;

/** A binding as pages and the API show it: never the secret. */
export const ZRepoBindingView = z.object({
  id: z.string(),
  targetId: z.string(),
  repoUrl: z
    .string()
    .describe("The repository pushes are deployed from: its application's current one when it follows one."),
  branch: z.string().describe("The branch whose pushes deploy: its application's current ref when it follows one."),
  path: z.string().describe("The path deployed: its application's current path when it follows one."),
  application: z
    .object({ id: z.string(), name: z.string() })
    .nullable()
    .describe("The application pushes deploy into (the target's default application unless one was named)."),
  followsApplication: z
    .boolean()
    .describe(
      "Whether the binding was made for its application: pushes then deploy the application's current Git source and render options, and a change of that source moves the binding with it.",
    ),
  createdById: z.string(),
  createdAt: z.iso.datetime(),
});
export type RepoBindingView = z.output<typeof ZRepoBindingView>;

/** The create response: the only time the secret is ever shown. */
export const ZCreatedRepoBinding = z.object({
  binding: ZRepoBindingView,
  secret: z.string(),
  webhookUrl: z.string(),
  note: z
    .string()
    .optional()
    .describe(
      "Set when a binding made without an application has exactly the Git source of one of the target's applications: it names that application, which the binding could follow instead.",
    ),
});
export type CreatedRepoBinding = z.output<typeof ZCreatedRepoBinding>;

/** The envelope context binds a sealed secret to its row: a ciphertext copied onto another binding does not open. */
export function secretContext(bindingId: string): string {
  return `repo-binding:${bindingId}`;
}

/** What a binding row needs to show its effective source: the application it follows, when it does. */
export interface RepoBindingRow {
  id: string;
  targetId: string;
  repoUrl: string;
  branch: string;
  path: string;
  followsApplication: boolean;
  createdById: string;
  createdAt: Date;
  application?: { id: string; name: string; repoUrl: string | null; ref: string | null; path: string | null } | null;
}

/**
 * The Git source a binding deploys: the application's current URL, ref and path when the binding follows it (read
 * from the application, the one place they are stored, so a PATCH of the application needs no copy kept in step),
 * else the binding's own. Null when a followed application has no Git source (any more): pushes then deploy nothing.
 */
export function bindingSource(row: RepoBindingRow): { repoUrl: string; branch: string; path: string } | null {
  if (!row.followsApplication) return { repoUrl: row.repoUrl, branch: row.branch, path: row.path };
  const app = row.application;
  if (!app?.repoUrl || !app.ref) return null;
  return { repoUrl: app.repoUrl, branch: app.ref, path: app.path ?? "." };
}

/** A binding row as the API shows it: never the sealed secret; the source it deploys now. */
export function toRepoBindingView(row: RepoBindingRow): RepoBindingView {
  const source = bindingSource(row) ?? { repoUrl: row.repoUrl, branch: row.branch, path: row.path };
  return {
    id: row.id,
    targetId: row.targetId,
    ...source,
    application: row.application ? { id: row.application.id, name: row.application.name } : null,
    followsApplication: row.followsApplication,
    createdById: row.createdById,
    createdAt: row.createdAt.toISOString(),
  };
}
