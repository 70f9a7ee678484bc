/**
 * The token of an `Authorization: Bearer <token>` header, or null when the request sends none or another scheme.
 * The one parser for API tokens (`withAuth`) and agent credentials (`withAgentAuth`): the scheme is case-insensitive
 * (RFC 9110) and the token is one run of non-space characters, so "Bearer a b" is no token at all.
 */
export function bearerTokenOf(req: Request): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}
