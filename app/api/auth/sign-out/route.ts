import { withAuth } from "@/lib/api/with-auth";
import { SESSION_COOKIE, clearSessionCookieHeader, readCookie } from "@/lib/auth/cookies";
import { signOut } from "@/lib/auth/data/sign-in";
import { sha256Hex } from "@/lib/auth/secrets";
import { env } from "@/lib/env";

export const POST = withAuth(
  async ({ req, request }) => {
    const cookie = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
    if (cookie) await signOut(sha256Hex(cookie), request);
    return new Response(null, {
      status: 204,
      headers: { "set-cookie": clearSessionCookieHeader(env().publicUrl.startsWith("https:")) },
    });
  },
  {
    permission: "read",
    docs: {
      tag: "auth",
      summary: "End the current session and clear its cookie",
      returns: "Nothing.",
      success: 204,
    },
  },
);
