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
        "Promote what is live of an application to its namesake on another target of the same mode, through that target's approval rule: a deployment request (push) or a pinned-revision request its agent applies once approved (pull)",
      body: ZPromoteInput,
      returns:
        "The new request on the destination: push, the same commit rendered with the destination's options, or the same manifests; pull, the same commit (and image tags) with the destination's settings, pinned once approved.",
      response: ZDeploymentView,
    },
  },
);
