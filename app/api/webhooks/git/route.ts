import { readBodyBytes } from "@/lib/api/read-body";
import { errorResponse } from "@/lib/api/route-response";
import { PUBLIC_ROUTE, requestContextOf } from "@/lib/api/with-auth";
import { receiveGitWebhook } from "@/lib/deployments/data/receive-git-webhook";
import { ROUTE_DOCS, type RouteDocs } from "@/lib/api/route-docs";

/** GitHub caps deliveries at 25 MB; push payloads are far smaller, and nothing larger is read into memory. */
const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

/**
 * Public like sign-in, but called by Git servers, which send no Origin: so not `withPublic` (its Origin check is for
 * browsers). The HMAC signature / token check in `receiveGitWebhook` is the authentication; errors map as everywhere.
 */
async function handle(req: Request): Promise<Response> {
  const request = requestContextOf(req);
  try {
    const result = await receiveGitWebhook({
      headers: req.headers,
      rawBody: await readBodyBytes(req, MAX_WEBHOOK_BYTES),
      request,
    });
    return Response.json(result.body, { status: result.status });
  } catch (err) {
    return errorResponse(err, request.requestId, "webhook");
  }
}

export const POST = Object.assign(handle, {
  [PUBLIC_ROUTE]: true,
  [ROUTE_DOCS]: {
    tag: "webhooks",
    summary: "GitHub/GitLab push webhook (HMAC-SHA256 or token verified): a deployment request per bound target",
    returns: "What was requested, per bound target.",
  } satisfies RouteDocs,
});
