import { readJson, withAuth } from "@/lib/api/with-auth";
import { listTargetCredentials } from "@/lib/credentials/data/list-credentials";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { ZStoreCredential } from "@/lib/credentials/schemas";

// GET /api/targets/:id/credentials — the target's active credential, its history and policy (never material)
export const GET = withAuth(async ({ params }) => listTargetCredentials({ targetId: params.id ?? "" }), {
  permission: "read",
});

// POST /api/targets/:id/credentials — store a credential, or replace the active one (manual rotation)
export const POST = withAuth(
  async ({ req, params, principal, actor, request }) => {
    const input = ZStoreCredential.parse(await readJson(req));
    return saveCredential({
      targetId: params.id ?? "",
      input,
      actor,
      actorRole: principal.role,
      actorUserId: principal.userId,
      request,
    });
  },
  // The policy decides who may replace (minReplaceRole); storing a first credential stays admin-only.
  { permission: "credentials.replace", successStatus: 201 },
);
