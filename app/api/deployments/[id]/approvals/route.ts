import { readJson, withAuth } from "@/lib/api/with-auth";
import { decideDeployment } from "@/lib/deployments/data/decide-deployment";
import { ZApprovalInput, ZDeploymentView } from "@/lib/deployments/schemas";

export const POST = withAuth(
  async ({ req, params, principal, actor, request }) =>
    decideDeployment({
      deploymentId: params.id ?? "",
      input: ZApprovalInput.parse(await readJson(req)),
      approver: { ...principal, name: principal.displayName },
      actor,
      request,
    }),
  {
    permission: "deployments.approve",
    successStatus: 201,
    docs: {
      tag: "deployments",
      summary: "Approve or reject (a rejection needs a comment)",
      body: ZApprovalInput,
      returns: "The deployment after the decision.",
      response: ZDeploymentView,
    },
  },
);
