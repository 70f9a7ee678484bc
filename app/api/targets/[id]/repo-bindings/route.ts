import { z } from "zod";
import { readJson, withAuth } from "@/lib/api/with-auth";
import { createRepoBinding } from "@/lib/deployments/data/create-repo-binding";
import { listRepoBindings } from "@/lib/deployments/data/list-repo-bindings";
import { ZCreateRepoBinding, ZRepoBindingView, ZCreatedRepoBinding } from "@/lib/deployments/webhooks";

export const GET = withAuth(async ({ params }) => listRepoBindings({ targetId: params.id ?? "" }), {
  permission: "targets.manage",
  docs: {
    tag: "targets",
    summary:
      "The repositories whose pushes request deployments to this target (each with the source it deploys now and its application), and the webhook URL",
    returns: "Bindings and the webhook URL.",
    response: z.object({ bindings: z.array(ZRepoBindingView), webhookUrl: z.string() }),
  },
});

export const POST = withAuth(
  async ({ req, params, principal, actor, request }) =>
    createRepoBinding({
      targetId: params.id ?? "",
      input: ZCreateRepoBinding.parse(await readJson(req)),
      createdById: principal.userId,
      actor,
      request,
    }),
  {
    permission: "targets.manage",
    successStatus: 201,
    docs: {
      tag: "targets",
      summary:
        "Bind a repository branch, or (`application`) a push application's Git source; the response shows the generated webhook secret once",
      body: ZCreateRepoBinding,
      returns:
        "The binding and its secret (once). A binding naming `application` follows it: a push to its ref deploys its current path with its render options, and a change of its source moves the binding; an unknown, pull, non-Git or other-repository application is a 422 and nothing is created. Without one, `note` says when an application has exactly this source.",
      response: ZCreatedRepoBinding,
    },
  },
);
