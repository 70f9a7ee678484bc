import { z } from "zod";
import { withAuth } from "@/lib/api/with-auth";
import { revokeApiToken } from "@/lib/tokens/data/revoke-api-token";
import { ZApiTokenView } from "@/lib/tokens/schemas";

export const DELETE = withAuth(
  async ({ params, principal, actor, request }) => ({
    token: await revokeApiToken({ tokenId: params.id ?? "", principal, actor, request }),
  }),
  // `read`: any role may revoke its own leftovers; only admins others' (the service checks).
  {
    permission: "read",
    docs: {
      tag: "users and tokens",
      summary: "Revoke a token: your own (any role may), or any token (admins)",
      returns: "{ token }",
      response: z.object({ token: ZApiTokenView }),
    },
  },
);
