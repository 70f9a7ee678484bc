import { z } from "zod";
import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { createUser } from "@/lib/users/data/create-user";
import { listUsers } from "@/lib/users/data/list-users";
import { ZCreateUser, ZListUsers, ZUserPage, ZUserView } from "@/lib/users/schemas";

export const GET = withAuth(async ({ req }) => listUsers(ZListUsers.parse(searchParamsOf(req))), {
  permission: "users.manage",
  docs: {
    tag: "users and tokens",
    summary: "List users, oldest first, cursor-paginated",
    query: ZListUsers,
    returns: "A page of users.",
    response: ZUserPage,
  },
});

export const POST = withAuth(
  async ({ req, actor, request }) => ({
    user: await createUser({ input: ZCreateUser.parse(await readJson(req)), actor, request }),
  }),
  {
    permission: "users.manage",
    successStatus: 201,
    docs: {
      tag: "users and tokens",
      summary: "Create a user with an initial password",
      body: ZCreateUser,
      returns: "{ user }",
      response: z.object({ user: ZUserView }),
    },
  },
);
