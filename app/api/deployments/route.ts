import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listDeployments } from "@/lib/deployments/data/list-deployments";
import { requestDeployment } from "@/lib/deployments/data/request-deployment";
import {
  ZCreateDeployment,
  ZDeploymentListQuery,
  ZDeploymentListPage,
  ZDeploymentView,
} from "@/lib/deployments/schemas";

export const GET = withAuth(async ({ req }) => listDeployments(ZDeploymentListQuery.parse(searchParamsOf(req))), {
  permission: "read",
  docs: {
    tag: "deployments",
    summary:
      "List deployments (target, environment, mode, state(s), requester; [from, to) on the requested/finished/approved instant; the comparison's approval-wait and recovery rows; cursor pagination, newest first)",
    query: ZDeploymentListQuery,
    returns: "A page of deployments and the next cursor.",
    response: ZDeploymentListPage,
  },
});

export const POST = withAuth(
  async ({ req, principal, actor, request }) => {
    const input = ZCreateDeployment.parse(await readJson(req));
    return requestDeployment({ ...input, actor, principal, request });
  },
  {
    permission: "deployments.request",
    successStatus: 201,
    docs: {
      tag: "deployments",
      summary: "Request a push deployment (pasted manifests or a Git repository path)",
      body: ZCreateDeployment,
      returns: "The deployment, with its preview and approval rule.",
      response: ZDeploymentView,
    },
  },
);
