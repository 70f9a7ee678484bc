/** Bearer-token authentication (signed JWTs like bound service-account tokens) and RBAC authorization. */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fromLabelSelectorObject, matchesLabels } from "./selectors";
import type { KObject, Store } from "./store";

export const ISSUER = "https://kubernetes.default.svc.cluster.local";
export const DEFAULT_AUDIENCE = ["https://kubernetes.default.svc.cluster.local"];
const GROUPS_CLAIM = "sandbox.wharf.dev/groups";

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  "kubernetes.io"?: {
    namespace: string;
    serviceaccount: { name: string; uid: string };
  };
  [GROUPS_CLAIM]?: string[];
}

/** Wall clock with an offset tests can move forward, so token expiry is testable without waiting. */
export class Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString("base64url");
}

/** Signs and verifies ES256 tokens with a key kept in dataDir so issued tokens survive restarts. */
export class TokenAuthority {
  private readonly kid: string;
  private readonly publicKey: KeyObject;
  private readonly cache = new Map<string, TokenClaims>();

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly clock: Clock,
  ) {
    this.publicKey = createPublicKey(privateKey);
    const der = this.publicKey.export({ type: "spki", format: "der" });
    this.kid = createHash("sha256").update(der).digest("base64url");
  }

  static async load(dataDir: string, clock: Clock): Promise<TokenAuthority> {
    const keyPath = path.join(dataDir, "sa.key");
    let pem: string;
    if (existsSync(keyPath)) pem = await readFile(keyPath, "utf8");
    else {
      const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      await writeFile(keyPath, pem, { mode: 0o600 });
    }
    return new TokenAuthority(createPrivateKey(pem), clock);
  }

  issue(
    claims: Omit<TokenClaims, "iss" | "iat" | "nbf" | "jti" | "exp" | "aud"> & {
      aud?: string[];
      expirationSeconds: number;
    },
  ): { token: string; claims: TokenClaims } {
    const now = Math.floor(this.clock.now() / 1000);
    const { expirationSeconds, aud, ...rest } = claims;
    const full: TokenClaims = {
      aud: aud && aud.length ? aud : DEFAULT_AUDIENCE,
      exp: now + expirationSeconds,
      iat: now,
      iss: ISSUER,
      jti: randomUUID(),
      nbf: now,
      ...rest,
    };
    const header = b64url(JSON.stringify({ alg: "ES256", kid: this.kid }));
    const payload = b64url(JSON.stringify(full));
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), {
      key: this.privateKey,
      dsaEncoding: "ieee-p1363",
    });
    return { token: `${header}.${payload}.${b64url(signature)}`, claims: full };
  }

  /** Claims of a valid, unexpired token signed by this authority; undefined otherwise. */
  verify(token: string): TokenClaims | undefined {
    let claims = this.cache.get(token);
    if (!claims) {
      const parts = token.split(".");
      if (parts.length !== 3) return undefined;
      const [header, payload, sig] = parts as [string, string, string];
      let ok = false;
      try {
        ok = verify(
          "sha256",
          Buffer.from(`${header}.${payload}`),
          { key: this.publicKey, dsaEncoding: "ieee-p1363" },
          Buffer.from(sig, "base64url"),
        );
      } catch {
        ok = false;
      }
      if (!ok) return undefined;
      try {
        claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as TokenClaims;
      } catch {
        return undefined;
      }
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(token, claims);
    }
    const now = this.clock.now() / 1000;
    if (typeof claims.exp !== "number" || now >= claims.exp) return undefined;
    if (typeof claims.nbf === "number" && now + 60 < claims.nbf) return undefined;
    return claims;
  }
}

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    ...(uid ? { uid } : {}),
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

/** Resolves a bearer token to a user; service-account tokens die with (or on recreation of) their ServiceAccount. */
export function authenticate(authority: TokenAuthority, store: Store, token: string): UserInfo | undefined {
  const claims = authority.verify(token);
  if (!claims) return undefined;
  const sa = claims["kubernetes.io"];
  if (sa) {
    const live = store.get("/serviceaccounts", sa.namespace, sa.serviceaccount.name);
    if (!live || live.metadata.uid !== sa.serviceaccount.uid || live.metadata.deletionTimestamp) return undefined;
    const user = serviceAccountUser(sa.namespace, sa.serviceaccount.name, sa.serviceaccount.uid);
    user.extra = { "authentication.kubernetes.io/credential-id": [`JTI=${claims.jti}`] };
    return user;
  }
  const groups = claims[GROUPS_CLAIM] ?? [];
  return { username: claims.sub, groups: [...new Set([...groups, "system:authenticated"])] };
}

export { GROUPS_CLAIM };

export interface ResourceAttributes {
  verb: string;
  namespace?: string | undefined;
  group: string;
  resource: string;
  subresource?: string | undefined;
  name?: string | undefined;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case "User":
      return s.name === user.username;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount": {
      const ns = s.namespace ?? bindingNamespace ?? "";
      return user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string | undefined): string {
  if (s.kind === "ServiceAccount") return `ServiceAccount "${s.name}/${s.namespace ?? bindingNamespace ?? ""}"`;
  return `${s.kind} "${s.name}"`;
}

function resourceRuleMatches(rule: PolicyRule, a: ResourceAttributes): boolean {
  if (!rule.verbs.includes("*") && !rule.verbs.includes(a.verb)) return false;
  const groups = rule.apiGroups ?? [];
  if (!groups.includes("*") && !groups.includes(a.group)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources ?? [];
  const resourceOk = resources.some(
    (r) =>
      r === "*" ||
      r === combined ||
      (a.subresource !== undefined && a.subresource !== "" && r === `*/${a.subresource}`),
  );
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  if (names.length > 0 && (!a.name || !names.includes(a.name))) return false;
  return true;
}

function nonResourceRuleMatches(rule: PolicyRule, a: NonResourceAttributes): boolean {
  if (!rule.verbs.includes("*") && !rule.verbs.includes(a.verb)) return false;
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === "*" || u === a.path || (u.endsWith("*") && a.path.startsWith(u.slice(0, -1))),
  );
}

/** RBAC over the Role/ClusterRole/RoleBinding/ClusterRoleBinding objects in the store. */
export class Authorizer {
  constructor(private readonly store: Store) {}

  private clusterRoleRules(name: string): PolicyRule[] {
    const role = this.store.get("rbac.authorization.k8s.io/clusterroles", undefined, name);
    if (!role) return [];
    const own = (role.rules as PolicyRule[] | undefined) ?? [];
    const aggregation = role.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
    if (!aggregation?.clusterRoleSelectors?.length) return own;
    const selectors = aggregation.clusterRoleSelectors.map(fromLabelSelectorObject);
    const out = [...own];
    for (const other of this.store.list("rbac.authorization.k8s.io/clusterroles")) {
      if (other.metadata.name === name) continue;
      if (selectors.some((s) => matchesLabels(s, other.metadata.labels)))
        out.push(...((other.rules as PolicyRule[] | undefined) ?? []));
    }
    return out;
  }

  /** Every (binding, rules) pair that applies to the user in the namespace (cluster bindings always). */
  private *grants(
    user: UserInfo,
    namespace: string | undefined,
  ): Generator<{ rules: PolicyRule[]; describe: (s: Subject) => string }> {
    for (const b of this.store.list("rbac.authorization.k8s.io/clusterrolebindings")) {
      const subject = ((b.subjects as Subject[] | undefined) ?? []).find((s) => subjectMatches(s, user, undefined));
      if (!subject) continue;
      const roleRef = b.roleRef as { kind: string; name: string } | undefined;
      if (!roleRef || roleRef.kind !== "ClusterRole") continue;
      yield {
        rules: this.clusterRoleRules(roleRef.name),
        describe: () =>
          `ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${roleRef.name}" to ${describeSubject(subject, undefined)}`,
      };
    }
    if (!namespace) return;
    for (const b of this.store.list("rbac.authorization.k8s.io/rolebindings", namespace)) {
      const subject = ((b.subjects as Subject[] | undefined) ?? []).find((s) => subjectMatches(s, user, namespace));
      if (!subject) continue;
      const roleRef = b.roleRef as { kind: string; name: string } | undefined;
      if (!roleRef) continue;
      const rules =
        roleRef.kind === "ClusterRole"
          ? this.clusterRoleRules(roleRef.name)
          : ((this.store.get("rbac.authorization.k8s.io/roles", namespace, roleRef.name)?.rules as
              PolicyRule[] | undefined) ?? []);
      yield {
        rules,
        describe: () =>
          `RoleBinding "${b.metadata.name}/${namespace}" of ${roleRef.kind} "${roleRef.name}" to ${describeSubject(subject, namespace)}`,
      };
    }
  }

  authorizeResource(user: UserInfo, a: ResourceAttributes): Decision {
    if (user.groups.includes("system:masters")) return { allowed: true, reason: "" };
    for (const g of this.grants(user, a.namespace)) {
      if (g.rules.some((r) => resourceRuleMatches(r, a)))
        return { allowed: true, reason: `RBAC: allowed by ${g.describe({ kind: "", name: "" })}` };
    }
    return { allowed: false, reason: "" };
  }

  authorizeNonResource(user: UserInfo, a: NonResourceAttributes): Decision {
    if (user.groups.includes("system:masters")) return { allowed: true, reason: "" };
    for (const g of this.grants(user, undefined)) {
      if (g.rules.some((r) => nonResourceRuleMatches(r, a)))
        return { allowed: true, reason: `RBAC: allowed by ${g.describe({ kind: "", name: "" })}` };
    }
    return { allowed: false, reason: "" };
  }

  /** The rules a SelfSubjectRulesReview reports for a namespace. */
  rulesFor(user: UserInfo, namespace: string): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[] } {
    const resourceRules: PolicyRule[] = [];
    const nonResourceRules: PolicyRule[] = [];
    if (user.groups.includes("system:masters")) {
      resourceRules.push({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] });
      nonResourceRules.push({ verbs: ["*"], nonResourceURLs: ["*"] });
    }
    for (const g of this.grants(user, namespace)) {
      for (const r of g.rules) {
        if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
        if (r.resources?.length) {
          resourceRules.push({
            verbs: r.verbs,
            apiGroups: r.apiGroups ?? [],
            resources: r.resources,
            ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
          });
        }
      }
    }
    return { resourceRules, nonResourceRules };
  }
}

/** kube-apiserver's wording for an RBAC denial. */
export function forbiddenMessage(user: UserInfo, a: ResourceAttributes): string {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const target = a.name ? `${qualified} "${a.name}"` : qualified;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return `${target} is forbidden: User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
}

export type { KObject };
