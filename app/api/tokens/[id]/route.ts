import { withAuth } from "@/lib/api/with-auth";
import { revokeApiToken } from "@/lib/tokens/data/revoke-api-token";

// DELETE /api/tokens/:id — revoke a token (your own; admins any). Any role may revoke its own leftovers.
export const DELETE = withAuth(
  async ({ params, principal, actor, request }) => ({
    token: await revokeApiToken({ tokenId: params.id ?? "", principal, actor, request }),
  }),
  { permission: "read" },
);
