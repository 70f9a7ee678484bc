import { ROLES, ZRole, type TRole } from "./roles";

/** Parsed `WHARF_OIDC_ROLE_MAP`: provider group → Wharf role. */
export type OidcRoleMap = ReadonlyMap<string, TRole>;

/**
 * Parses `group=role,group=role`. A malformed entry or an unknown role is a configuration error (thrown at first
 * use), not a silent viewer: a typo in the map must not quietly strip every approver of their role.
 */
export function parseOidcRoleMap(spec: string): OidcRoleMap {
  const map = new Map<string, TRole>();
  for (const entry of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = entry.lastIndexOf("=");
    const group = entry.slice(0, eq).trim();
    const role = ZRole.safeParse(entry.slice(eq + 1).trim());
    if (eq <= 0 || !group || !role.success) {
      throw new Error(`WHARF_OIDC_ROLE_MAP: "${entry}" is not group=role with role one of ${ROLES.join(", ")}`);
    }
    map.set(group, role.data);
  }
  return map;
}

/** The claim's values: an array of strings, or one string holding space- or comma-separated names. */
export function claimValues(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((v): v is string => typeof v === "string");
  if (typeof claim === "string") return claim.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** The highest role any of the user's groups maps to; viewer when none does. */
export function roleFromClaim(claim: unknown, map: OidcRoleMap): TRole {
  let best = 0;
  for (const group of claimValues(claim)) {
    const role = map.get(group);
    if (role) best = Math.max(best, ROLES.indexOf(role));
  }
  return ROLES[best] ?? "viewer";
}

/** Only same-origin paths may follow sign-in: `/targets?x=1` yes, `//evil.example`, `https://…`, `/\evil` no. */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f]/.test(value)) return "/";
  try {
    const u = new URL(value, "http://wharf.invalid");
    if (u.origin !== "http://wharf.invalid") return "/";
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return "/";
  }
}
