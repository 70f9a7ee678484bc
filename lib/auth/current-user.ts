import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { SESSION_COOKIE } from "./cookies";
import { findPrincipalBySession, type Principal } from "./data/principals";
import { can, type Permission } from "./roles";
import { sha256Hex } from "./secrets";

/** The signed-in user of this page render (once per request), or null. */
export const currentPrincipal = cache(async (): Promise<Principal | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return token ? findPrincipalBySession(sha256Hex(token)) : null;
});

/** For pages: the signed-in user, or a redirect to sign-in. With a permission, a 404-like refusal page otherwise. */
export async function requirePrincipal(permission?: Permission): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect("/login");
  if (permission && !can(principal.role, permission)) redirect("/forbidden");
  return principal;
}
