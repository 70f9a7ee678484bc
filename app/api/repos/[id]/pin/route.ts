import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { pinRepo } from "@/lib/repos/data/pin-repo";
import { previewPin } from "@/lib/repos/data/pin-state";
import { ZPinPreview, ZPinPreviewQuery, ZPinRepo, type TPinRepoInput, ZPinResult } from "@/lib/repos/schemas";

export const GET = withAuth(
  async ({ req, params }) => previewPin({ repoId: params.id ?? "", query: searchParamsOf(req) }),
  {
    permission: "read",
    docs: {
      tag: "pull",
      summary: "What a rollback pin (with `revision`) or an unpin (without) would change, before doing it",
      query: ZPinPreviewQuery,
      returns: "The live revision, the one the agent would apply instead, and how far behind the branch head each is.",
      response: ZPinPreview,
    },
  },
);

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
