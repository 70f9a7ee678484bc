import { z } from "zod";
import { readJson, withAuth } from "@/lib/api/with-auth";
import { updateUser } from "@/lib/users/data/update-user";
import { ZUpdateUser, ZUserView } from "@/lib/users/schemas";

export const PATCH = withAuth(
  async ({ req, params, principal, actor, request }) => ({
    user: await updateUser({
      userId: params.id ?? "",
      input: ZUpdateUser.parse(await readJson(req)),
      byUserId: principal.userId,
      actor,
      request,
    }),
  }),
  {
    permission: "users.manage",
    docs: {
      tag: "users and tokens",
      summary: "Rename, change role, disable or enable a user",
      body: ZUpdateUser,
      returns: "{ user }",
      response: z.object({ user: ZUserView }),
    },
  },
);
