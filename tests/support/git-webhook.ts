import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { githubSignature } from "@/lib/deployments/webhooks";
import { callRoute, type Caller } from "./api";

/**
 * Binds a repository to a target as an admin does (POST /api/targets/:id/repo-bindings, branch `main` unless given);
 * returns the binding's id and the webhook secret shown once. Fails when the route does not answer 201.
 */
export async function bindRepository(
  as: Caller,
  targetId: string,
  source: { repoUrl: string; branch?: string; path?: string },
): Promise<{ id: string; secret: string }> {
  const res = await callRoute(bindingsRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/repo-bindings`,
    params: { id: targetId },
    body: { repoUrl: source.repoUrl, branch: source.branch ?? "main", path: source.path ?? "." },
    as,
  });
  if (res.status !== 201) throw new Error(`binding ${source.repoUrl} answered ${res.status}: ${res.text}`);
  return { id: (res.body.binding as { id: string }).id, secret: res.body.secret as string };
}

/** What a GitHub push webhook of `sha` to `refs/heads/main` sends: its raw body and headers, signed with `secret`. */
export function githubPushDelivery(opts: {
  secret: string;
  sha: string;
  delivery: string;
  repository: { full_name: string; clone_url: string; html_url: string; ssh_url?: string };
}): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    ref: "refs/heads/main",
    before: "0".repeat(40),
    after: opts.sha,
    deleted: false,
    repository: opts.repository,
    pusher: { name: "octocat", email: "octo@example.com" },
    head_commit: { id: opts.sha, message: "change" },
  });
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": opts.delivery,
      "x-hub-signature-256": githubSignature(opts.secret, body),
    },
  };
}

/**
 * Delivers a GitHub push event of `sha` to `refs/heads/main` (POST /api/webhooks/git), signed with `secret` as
 * GitHub signs it; `repository` is the payload's repository object (its URLs are how Wharf finds bindings).
 */
export async function deliverGithubPush(opts: Parameters<typeof githubPushDelivery>[0]) {
  const { body, headers } = githubPushDelivery(opts);
  return callRoute(webhookRoute.POST, { method: "POST", path: "/api/webhooks/git", body, headers });
}
