import { ZPromoteInput } from "@/lib/applications/matrix-schemas";
import { readJson, withAuth } from "@/lib/api/with-auth";
import { promoteApplication } from "@/lib/deployments/data/promote-application";
import { ZDeploymentView } from "@/lib/deployments/schemas";

export const POST = withAuth(
  async ({ req, params, principal, actor, request }) =>
    promoteApplication({
      applicationId: params.id ?? "",
      input: ZPromoteInput.parse(await readJson(req)),
      actor,
      principal,
      request,
    }),
  {
    permission: "deployments.request",
    successStatus: 201,
    docs: {
      tag: "applications",
      summary:
        "Promote what is live of a push application to its namesake on another push target (a deployment request there, through that target's approval rule)",
      body: ZPromoteInput,
      returns:
        "The new deployment request on the destination: the same commit rendered with the destination's options, or the same manifests.",
      response: ZDeploymentView,
    },
  },
);
