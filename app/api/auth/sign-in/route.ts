import { z } from "zod";
import { readJson, withPublic } from "@/lib/api/with-auth";
import { sessionCookieHeader } from "@/lib/auth/cookies";
import { signIn } from "@/lib/auth/data/sign-in";
import { ZSignIn } from "@/lib/auth/schemas";
import { env } from "@/lib/env";

export const POST = withPublic(
  async ({ req, request }) => {
    const input = ZSignIn.parse(await readJson(req));
    const { token, expiresAt } = await signIn(input, request);
    return Response.json(
      { ok: true, expiresAt: expiresAt.toISOString() },
      { headers: { "set-cookie": sessionCookieHeader(token, expiresAt, env().publicUrl.startsWith("https:")) } },
    );
  },
  {
    docs: {
      tag: "auth",
      summary: "Email + password; sets the httpOnly session cookie",
      body: ZSignIn,
      returns: "Acknowledgement and when the session expires; the session itself is the httpOnly cookie.",
      response: z.object({ ok: z.literal(true), expiresAt: z.iso.datetime() }),
    },
  },
);
