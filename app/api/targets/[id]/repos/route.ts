import { z } from "zod";
import { readJson, withAuth } from "@/lib/api/with-auth";
import { listRepos } from "@/lib/repos/data/list-repos";
import { registerRepo } from "@/lib/repos/data/register-repo";
import { ZRegisterRepo, type TRegisterRepoInput, ZPullRepoView } from "@/lib/repos/schemas";

export const GET = withAuth(async ({ params }) => ({ repos: await listRepos({ targetId: params.id ?? "" }) }), {
  permission: "read",
  docs: {
    tag: "pull",
    summary: "Repositories registered on a pull target, with their last reported status",
    returns: "{ repos }",
    response: z.object({ repos: z.array(ZPullRepoView) }),
  },
});

export const POST = withAuth(
  async ({ req, params, principal, actor, request }) =>
    registerRepo({
      targetId: params.id ?? "",
      input: (await readJson(req)) as TRegisterRepoInput,
      createdById: principal.userId,
      actor,
      request,
    }),
  {
    permission: "repos.register",
    successStatus: 201,
    docs: {
      tag: "pull",
      summary: "Register a Git repository on a pull target (its agents pick it up at once)",
      body: ZRegisterRepo,
      returns: "The repository.",
      response: ZPullRepoView,
    },
  },
);
