import { readJson, withAuth } from "@/lib/api/with-auth";
import { listRepos } from "@/lib/repos/data/list-repos";
import { registerRepo } from "@/lib/repos/data/register-repo";
import type { TRegisterRepoInput } from "@/lib/repos/schemas";

// GET /api/targets/:id/repos — repositories registered on a pull target, with their last reported status
export const GET = withAuth(async ({ params }) => ({ repos: await listRepos({ targetId: params.id ?? "" }) }), {
  permission: "read",
});

// POST /api/targets/:id/repos — register a Git repository on a pull target (its agents pick it up at once)
export const POST = withAuth(
  async ({ req, params, principal, actor, request }) =>
    registerRepo({
      targetId: params.id ?? "",
      input: (await readJson(req)) as TRegisterRepoInput,
      createdById: principal.userId,
      actor,
      request,
    }),
  { permission: "repos.register", successStatus: 201 },
);
