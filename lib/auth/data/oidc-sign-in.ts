import "server-only";
import { recordAuditEvent, recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { oidc, oidcConfiguration, oidcSettings } from "../oidc-client";
import { roleFromClaim, safeReturnTo } from "../oidc-roles";
import { ZRole } from "../roles";
import { newSecretToken, sha256Hex } from "../secrets";

const LOGIN_TTL_MS = 10 * 60_000;

/** Why an OIDC sign-in was refused; the login page shows a message per reason (never provider-supplied text). */
export type OidcFailureReason =
  "not-configured" | "unknown-state" | "provider-error" | "missing-email" | "local-account-exists" | "account-disabled";

export class OidcSignInError extends Error {
  constructor(
    readonly reason: OidcFailureReason,
    message: string,
  ) {
    super(message);
    this.name = "OidcSignInError";
  }
}

/**
 * Starts a sign-in at the provider: stores state, nonce and the PKCE verifier (server side, keyed by the random
 * state) and returns the provider's authorization URL. Expired in-flight logins are cleared on the way.
 */
export async function beginOidcLogin(opts: { returnTo: string | null }): Promise<URL> {
  const s = oidcSettings();
  if (!s) throw new OidcSignInError("not-configured", "Sign-in with an identity provider is not configured.");
  const config = await oidcConfiguration(s);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  await db().oidcLogin.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await db().oidcLogin.create({
    data: {
      state,
      nonce,
      codeVerifier,
      returnTo: safeReturnTo(opts.returnTo),
      expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
    },
  });
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: s.redirectUri,
    scope: `openid email profile${s.roleClaim === "groups" ? " groups" : ""}`,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
}

export interface OidcSignInResult {
  token: string;
  expiresAt: Date;
  returnTo: string;
}

/**
 * Completes a sign-in from the provider's redirect: the state must name a pending login (used once), the code is
 * exchanged with the PKCE verifier and the ID token verified (signature, issuer, audience, expiry, nonce).
 *
 * Accounts are keyed by (issuer, subject). The first sign-in creates the user with the email from the token. A
 * local (password) account with the same email is never taken over — whoever controls that address at the provider
 * would otherwise inherit the local account's role — so that sign-in is refused until an administrator removes or
 * renames the local account. The role is re-read from the claim on every sign-in; a change is audited.
 */
export async function completeOidcLogin(opts: {
  callbackUrl: URL;
  request: RequestContext;
}): Promise<OidcSignInResult> {
  const s = oidcSettings();
  if (!s) throw new OidcSignInError("not-configured", "Sign-in with an identity provider is not configured.");
  const issuer = s.issuer.href.replace(/\/$/, "");
  const fail = async (
    reason: OidcFailureReason,
    message: string,
    subject?: { id: string | null; name: string },
  ): Promise<never> => {
    await recordStandaloneAuditEvent({
      actor: { kind: "user", id: subject?.id ?? null, name: subject?.name ?? "oidc" },
      action: "auth.sign-in-failed",
      subjectType: "user",
      subjectId: subject?.id ?? null,
      outcome: "denied",
      details: { method: "oidc", local: false, issuer, reason },
      request: opts.request,
    });
    throw new OidcSignInError(reason, message);
  };

  const state = opts.callbackUrl.searchParams.get("state") ?? "";
  // Deleting is the claim: a replayed callback finds nothing, even when two arrive at once.
  const pending = state ? await db().oidcLogin.findUnique({ where: { state } }) : null;
  const claimed = pending ? await db().oidcLogin.deleteMany({ where: { state } }) : { count: 0 };
  if (!pending || claimed.count !== 1 || pending.expiresAt <= new Date()) {
    return fail("unknown-state", "This sign-in link has expired or was already used. Start again.");
  }

  let claims: Record<string, unknown>;
  try {
    const config = await oidcConfiguration(s);
    const tokens = await oidc.authorizationCodeGrant(config, opts.callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error("no ID token");
    claims = { ...idClaims };
    // Providers that follow the spec strictly put profile and group claims in userinfo, not in the ID token.
    if (
      (claims[s.roleClaim] === undefined || typeof claims.email !== "string") &&
      config.serverMetadata().userinfo_endpoint
    ) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = {
        ...info,
        ...claims,
        ...(claims[s.roleClaim] === undefined ? { [s.roleClaim]: info[s.roleClaim] } : {}),
      };
      if (typeof claims.email !== "string" && typeof info.email === "string") claims.email = info.email;
    }
  } catch (err) {
    console.warn("[wharf] OIDC sign-in failed at the provider:", err instanceof Error ? err.message : err);
    return fail("provider-error", "The identity provider did not complete the sign-in.");
  }

  const subject = String(claims.sub);
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  if (!email) return fail("missing-email", "The identity provider did not share an email address for this account.");
  const name = typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : email;
  const role = roleFromClaim(claims[s.roleClaim], s.roleMap);

  const existing = await db().user.findUnique({
    where: { oidcIssuer_oidcSubject: { oidcIssuer: issuer, oidcSubject: subject } },
  });
  if (!existing) {
    const sameEmail = await db().user.findUnique({ where: { email }, select: { id: true, authSource: true } });
    if (sameEmail) {
      return fail(
        "local-account-exists",
        `A ${sameEmail.authSource === "local" ? "local" : "different single sign-on"} account already uses ${email}; it is not taken over.`,
        { id: sameEmail.id, name: email },
      );
    }
  } else if (existing.disabled) {
    return fail("account-disabled", "This account is disabled. Ask an administrator.", {
      id: existing.id,
      name: existing.email,
    });
  }

  const token = newSecretToken("wharfs");
  const expiresAt = new Date(Date.now() + env().WHARF_SESSION_TTL);
  await db().$transaction(async (tx) => {
    let user = existing;
    if (!user) {
      user = await tx.user.create({
        data: { email, name, role, authSource: "oidc", oidcIssuer: issuer, oidcSubject: subject, passwordHash: null },
      });
      await recordAuditEvent(tx, {
        actor: { kind: "user", id: user.id, name: email },
        action: "user.created",
        subjectType: "user",
        subjectId: user.id,
        details: { email, role, source: "oidc", issuer },
        request: opts.request,
      });
    } else {
      const previous = ZRole.parse(user.role);
      const changes: Record<string, { from: string; to: string }> = {};
      if (previous !== role) changes.role = { from: previous, to: role };
      if (Object.keys(changes).length) {
        user = await tx.user.update({ where: { id: user.id }, data: { role } });
        await recordAuditEvent(tx, {
          actor: { kind: "system", id: null, name: `oidc ${issuer}` },
          action: "user.updated",
          subjectType: "user",
          subjectId: user.id,
          details: { ...changes, source: "oidc", claim: s.roleClaim },
          request: opts.request,
        });
      }
    }
    const session = await tx.session.create({
      data: {
        tokenHash: sha256Hex(token),
        userId: user.id,
        expiresAt,
        ip: opts.request.ip,
        userAgent: opts.request.userAgent,
      },
    });
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
    await recordAuditEvent(tx, {
      actor: { kind: "user", id: user.id, name: user.email },
      action: "auth.signed-in",
      subjectType: "session",
      subjectId: session.id,
      details: { method: "oidc", local: false, issuer },
      request: opts.request,
    });
  });
  return { token, expiresAt, returnTo: pending.returnTo };
}
