import { readJson, withAuth } from "@/lib/api/with-auth";
import { getRepo } from "@/lib/repos/data/list-repos";
import { removeRepo } from "@/lib/repos/data/remove-repo";
import { updateRepo } from "@/lib/repos/data/update-repo";
import { ZUpdateRepo, type TUpdateRepoInput, ZPullRepoView } from "@/lib/repos/schemas";

export const GET = withAuth(async ({ params }) => getRepo({ repoId: params.id ?? "" }), {
  permission: "read",
  docs: {
    tag: "pull",
    summary: "One registered repository and its status",
    returns: "The repository.",
    response: ZPullRepoView,
  },
});

export const PATCH = withAuth(
  async ({ req, params, principal, actor, request }) =>
    updateRepo({
      repoId: params.id ?? "",
      input: (await readJson(req)) as TUpdateRepoInput,
      changedById: principal.userId,
      actor,
      request,
    }),
  {
    permission: "repos.register",
    docs: {
      tag: "pull",
      summary:
        "Change a registered repository's settings; a changed URL, branch, path, prune flag or image policy is a new revision (on approval-gated targets it waits for approval)",
      body: ZUpdateRepo,
      returns: "The repository.",
      response: ZPullRepoView,
    },
  },
);

export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await removeRepo({ repoId: params.id ?? "", actor, request });
    return null;
  },
  {
    permission: "repos.register",
    docs: {
      tag: "pull",
      summary: "Stop syncing a repository (history is kept; applied objects stay)",
      returns: "Nothing.",
      success: 204,
    },
  },
);
