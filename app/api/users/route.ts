import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { createUser } from "@/lib/users/data/create-user";
import { listUsers } from "@/lib/users/data/list-users";
import { ZCreateUser, ZListUsers } from "@/lib/users/schemas";

// GET /api/users — list users, oldest first, cursor-paginated
export const GET = withAuth(async ({ req }) => listUsers(ZListUsers.parse(searchParamsOf(req))), {
  permission: "users.manage",
});

// POST /api/users — create a user with an initial password
export const POST = withAuth(
  async ({ req, actor, request }) => ({
    user: await createUser({ input: ZCreateUser.parse(await readJson(req)), actor, request }),
  }),
  { permission: "users.manage", successStatus: 201 },
);
