import { withPublic } from "@/lib/api/with-auth";
import { sessionCookieHeader } from "@/lib/auth/cookies";
import { completeOidcLogin, OidcSignInError } from "@/lib/auth/data/oidc-sign-in";
import { env } from "@/lib/env";

export const GET = withPublic(
  async ({ req, request }) => {
    // Behind a proxy req.url names the internal address; the provider redirected to the public one.
    const { pathname, search } = new URL(req.url);
    const callbackUrl = new URL(`${env().publicUrl}${pathname}${search}`);
    try {
      const { token, expiresAt, returnTo } = await completeOidcLogin({ callbackUrl, request });
      return new Response(null, {
        status: 303,
        headers: {
          location: returnTo,
          "set-cookie": sessionCookieHeader(token, expiresAt, env().publicUrl.startsWith("https:")),
          "cache-control": "no-store",
        },
      });
    } catch (err) {
      if (!(err instanceof OidcSignInError)) throw err;
      return new Response(null, {
        status: 303,
        headers: { location: `/login?oidc_error=${err.reason}`, "cache-control": "no-store" },
      });
    }
  },
  {
    docs: {
      tag: "auth",
      summary: "The provider's redirect: verify, sign in, set the session cookie, go to returnTo",
      returns: "Redirect into Wharf.",
      success: 302,
    },
  },
);
