import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { createApiToken } from "@/lib/tokens/data/create-api-token";
import { listApiTokens } from "@/lib/tokens/data/list-api-tokens";
import { ZCreateApiToken, ZListApiTokens, ZApiTokenPage, ZCreatedApiToken } from "@/lib/tokens/schemas";

export const GET = withAuth(
  async ({ req, principal }) => listApiTokens({ principal, ...ZListApiTokens.parse(searchParamsOf(req)) }),
  {
    permission: "read",
    docs: {
      tag: "users and tokens",
      summary: "The caller's API tokens (admins: all tokens, with owners); never the secrets",
      query: ZListApiTokens,
      returns: "Tokens.",
      response: ZApiTokenPage,
    },
  },
);

export const POST = withAuth(
  async ({ req, principal, actor, request }) => {
    const created = await createApiToken({
      principal,
      input: ZCreateApiToken.parse(await readJson(req)),
      actor,
      request,
    });
    return Response.json(created, { status: 201, headers: { "cache-control": "no-store" } });
  },
  {
    permission: "tokens.manage-own",
    successStatus: 201,
    docs: {
      tag: "users and tokens",
      summary: "Create a token for the caller; the plaintext is in this response and nowhere else",
      body: ZCreateApiToken,
      returns: "The token and its secret (once).",
      response: ZCreatedApiToken,
    },
  },
);
