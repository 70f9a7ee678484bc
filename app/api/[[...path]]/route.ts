import { errorResponse } from "@/lib/api/route-response";
import { PUBLIC_ROUTE, requestContextOf } from "@/lib/api/with-auth";
import { AppError } from "@/lib/errors";

/**
 * `/api` and every path below it that no route file serves, so API clients get the JSON error shape instead of Next's
 * HTML 404 page. Next matches static and dynamic segments before an (optional) catch-all, so this never shadows a
 * real route, and a real path with a method it does not export still gets Next's 405. The same 404 for everyone: it
 * names no resource, so it needs no sign-in. Not timed (`timedRoute`): its route label would be whatever path was sent.
 */
async function notFound(req: Request): Promise<Response> {
  const { requestId } = requestContextOf(req);
  const message = `No API route ${req.method} ${new URL(req.url).pathname}`;
  return errorResponse(new AppError("NOT_FOUND", message), requestId);
}

const handler = Object.assign(notFound, { [PUBLIC_ROUTE]: true });

// GET /api/* — a path no route file serves: 404 {error:{code:"NOT_FOUND"}}, and the same for every method below
export const GET = handler;
export const POST = handler;
export const PUT = handler;
export const PATCH = handler;
export const DELETE = handler;
export const HEAD = handler;
// Exported so Next does not answer OPTIONS itself with 204 and an Allow header listing the methods above.
export const OPTIONS = handler;
