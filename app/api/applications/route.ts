import { createApplication } from "@/lib/applications/data/create-application";
import { listApplications } from "@/lib/applications/data/list-applications";
import {
  ZApplicationListPage,
  ZApplicationListQuery,
  ZApplicationView,
  ZCreateApplication,
} from "@/lib/applications/schemas";
import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(async ({ req }) => listApplications(ZApplicationListQuery.parse(searchParamsOf(req))), {
  permission: "read",
  docs: {
    tag: "applications",
    summary:
      "List applications by name (filters: name search, exact name, mode, environment, target, health, sync; cursor pagination)",
    query: ZApplicationListQuery,
    returns:
      "A page of applications, each with its target, sync status, health, live revision (commit, chart, images), last deployment or sync and its result, and the next cursor.",
    response: ZApplicationListPage,
  },
});

export const POST = withAuth(
  async ({ req, principal, actor, request }) =>
    createApplication({
      input: ZCreateApplication.parse(await readJson(req)),
      createdById: principal.userId,
      actor,
      request,
    }),
  {
    // Deployers create push applications (as they request deployments) and pull ones (as they register repositories).
    permission: "deployments.request",
    successStatus: 201,
    docs: {
      tag: "applications",
      summary: "Create an application on a target, push or pull per the target's mode (pull: registers its repository)",
      body: ZCreateApplication,
      returns: "The application.",
      response: ZApplicationView,
    },
  },
);
