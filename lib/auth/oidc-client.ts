import "server-only";
import * as oidc from "openid-client";
import { env } from "@/lib/env";
import { parseOidcRoleMap, type OidcRoleMap } from "./oidc-roles";

/** What the login page needs to know; null when OIDC is not configured. */
export function oidcDisplayName(): string | null {
  const e = env();
  return e.WHARF_OIDC_ISSUER && e.WHARF_OIDC_CLIENT_ID && e.WHARF_OIDC_CLIENT_SECRET ? e.WHARF_OIDC_DISPLAY_NAME : null;
}

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  roleClaim: string;
  roleMap: OidcRoleMap;
  redirectUri: string;
}

/** The validated OIDC settings, or null when sign-in with the provider is not configured. */
export function oidcSettings(): OidcSettings | null {
  const e = env();
  if (!e.WHARF_OIDC_ISSUER || !e.WHARF_OIDC_CLIENT_ID || !e.WHARF_OIDC_CLIENT_SECRET) return null;
  return {
    issuer: new URL(e.WHARF_OIDC_ISSUER),
    clientId: e.WHARF_OIDC_CLIENT_ID,
    clientSecret: e.WHARF_OIDC_CLIENT_SECRET,
    roleClaim: e.WHARF_OIDC_ROLE_CLAIM,
    roleMap: parseOidcRoleMap(e.WHARF_OIDC_ROLE_MAP),
    redirectUri: `${e.publicUrl}/api/auth/oidc/callback`,
  };
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const DISCOVERY_TTL_MS = 10 * 60_000;
let cached: { key: string; at: number; config: Promise<oidc.Configuration> } | null = null;

/**
 * The provider's discovered configuration, cached per process for ten minutes (keys rotate; the provider may be
 * reconfigured). A failed discovery is not cached. Plain-http issuers are allowed on loopback only — a provider
 * reached over the network without TLS would let anyone on the path mint sign-ins.
 */
export function oidcConfiguration(s: OidcSettings): Promise<oidc.Configuration> {
  const key = `${s.issuer.href}|${s.clientId}|${s.clientSecret}`;
  if (cached && cached.key === key && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
  const insecure = s.issuer.protocol === "http:";
  if (insecure && !LOOPBACK.has(s.issuer.hostname)) {
    return Promise.reject(
      new Error(`WHARF_OIDC_ISSUER must use https (plain http is accepted on loopback only): ${s.issuer.href}`),
    );
  }
  const config = oidc.discovery(s.issuer, s.clientId, s.clientSecret, undefined, {
    execute: insecure ? [oidc.allowInsecureRequests] : [],
    timeout: 10,
  });
  const entry = { key, at: Date.now(), config };
  cached = entry;
  config.catch(() => {
    if (cached === entry) cached = null;
  });
  return config;
}

export { oidc };
