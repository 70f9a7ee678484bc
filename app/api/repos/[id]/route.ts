import { readJson, withAuth } from "@/lib/api/with-auth";
import { getRepo } from "@/lib/repos/data/list-repos";
import { removeRepo } from "@/lib/repos/data/remove-repo";
import { updateRepo } from "@/lib/repos/data/update-repo";
import type { TUpdateRepoInput } from "@/lib/repos/schemas";

// GET /api/repos/:id — one registered repository and its status
export const GET = withAuth(async ({ params }) => getRepo({ repoId: params.id ?? "" }), { permission: "read" });

// PATCH /api/repos/:id — change a registered repository's settings
export const PATCH = withAuth(
  async ({ req, params, principal, actor, request }) =>
    updateRepo({
      repoId: params.id ?? "",
      input: (await readJson(req)) as TUpdateRepoInput,
      changedById: principal.userId,
      actor,
      request,
    }),
  { permission: "repos.register" },
);

// DELETE /api/repos/:id — stop syncing a repository (history is kept; applied objects stay)
export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await removeRepo({ repoId: params.id ?? "", actor, request });
    return null;
  },
  { permission: "repos.register" },
);
