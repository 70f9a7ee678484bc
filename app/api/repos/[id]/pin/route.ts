import { readJson, withAuth } from "@/lib/api/with-auth";
import { pinRepo } from "@/lib/repos/data/pin-repo";
import { ZPinRepo, type TPinRepoInput, ZPinResult } from "@/lib/repos/schemas";

export const POST = withAuth(
  async ({ req, params, principal, actor, request }) =>
    pinRepo({ repoId: params.id ?? "", input: (await readJson(req)) as TPinRepoInput, principal, actor, request }),
  {
    permission: "repos.register",
    docs: {
      tag: "pull",
      summary: "Roll back: pin an earlier revision (through the target's approval rule), or unpin",
      body: ZPinRepo,
      returns: "The outcome (pinned, pending approval, unpinned).",
      response: ZPinResult,
    },
  },
);
