import { deleteApplication } from "@/lib/applications/data/delete-application";
import { getApplication } from "@/lib/applications/data/get-application";
import { updateApplication } from "@/lib/applications/data/update-application";
import {
  ZApplicationDeleted,
  ZApplicationUpdated,
  ZApplicationView,
  ZUpdateApplication,
} from "@/lib/applications/schemas";
import { readJson, withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(async ({ params }) => getApplication({ id: params.id ?? "" }), {
  permission: "read",
  docs: { tag: "applications", summary: "One application", returns: "The application.", response: ZApplicationView },
});

export const PATCH = withAuth(
  async ({ req, params, principal, actor, request }) =>
    updateApplication({
      id: params.id ?? "",
      patch: ZUpdateApplication.parse(await readJson(req)),
      changedById: principal.userId,
      actor,
      request,
    }),
  {
    // Who may create an application may change it (deployers request deployments and register repositories).
    permission: "deployments.request",
    docs: {
      tag: "applications",
      summary:
        "Change an application's source, render options or sync options. Push: stored, nothing running changes; the next deployment (webhook or request) uses it. Pull: changes its registered repository with it; a changed source, prune flag or render options is a new revision its agent re-syncs, after approval where the target requires it",
      body: ZUpdateApplication,
      returns: "The application, and under `update` what changed and what happens next.",
      response: ZApplicationUpdated,
    },
  },
);

export const DELETE = withAuth(
  async ({ params, actor, request }) => deleteApplication({ id: params.id ?? "", actor, request }),
  {
    permission: "deployments.request",
    docs: {
      tag: "applications",
      summary:
        "Delete an application (409 APPLICATION_BUSY while one of its deployments awaits approval, waits or runs: cancel it first). Pull: its repository registration goes too and its agent stops syncing it. Objects it applied stay in the cluster; it is archived: its deployments, syncs and audit rows stay readable and linked, marked deleted, and its name is free",
      returns: "What was removed with it, and what stays.",
      response: ZApplicationDeleted,
    },
  },
);
