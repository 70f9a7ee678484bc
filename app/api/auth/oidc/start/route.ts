import { withPublic } from "@/lib/api/with-auth";
import { beginOidcLogin, OidcSignInError } from "@/lib/auth/data/oidc-sign-in";

export const GET = withPublic(
  async ({ req }) => {
    try {
      const url = await beginOidcLogin({ returnTo: new URL(req.url).searchParams.get("returnTo") });
      return new Response(null, { status: 302, headers: { location: url.href, "cache-control": "no-store" } });
    } catch (err) {
      const reason = err instanceof OidcSignInError ? err.reason : "provider-error";
      if (!(err instanceof OidcSignInError))
        console.warn("[wharf] OIDC start failed:", err instanceof Error ? err.message : err);
      return new Response(null, {
        status: 302,
        headers: { location: `/login?oidc_error=${reason}`, "cache-control": "no-store" },
      });
    }
  },
  {
    docs: {
      tag: "auth",
      summary: "Redirect to the identity provider (authorization code + PKCE); ?returnTo=/path",
      returns: "Redirect to the provider.",
      success: 302,
    },
  },
);
