import { readJson, withAuth } from "@/lib/api/with-auth";
import { rollbackDeployment } from "@/lib/deployments/data/rollback-deployment";
import { ZRollbackInput, ZDeploymentView } from "@/lib/deployments/schemas";

export const POST = withAuth(
  async ({ req, params, principal, actor, request }) => {
    // The body is optional: an empty one asks for a plain rollback.
    const hasBody = (await req.clone().text()).trim() !== "";
    const input = ZRollbackInput.parse(hasBody ? await readJson(req) : {});
    return rollbackDeployment({ deploymentId: params.id ?? "", input, actor, principal, request });
  },
  {
    permission: "deployments.request",
    successStatus: 201,
    docs: {
      tag: "deployments",
      summary:
        "Request a new deployment of a past succeeded one's manifests (admins: emergency), or again of one stopped in plan-changed",
      body: ZRollbackInput,
      returns: "The new deployment.",
      response: ZDeploymentView,
    },
  },
);
