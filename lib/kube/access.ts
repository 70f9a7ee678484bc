import type { KubeClient } from "./client";
import { isRecord } from "./types";

export interface AccessCheck {
  verb: string;
  /** Plural resource, e.g. "deployments". */
  resource: string;
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface AccessDecision {
  allowed: boolean;
  denied: boolean;
  reason?: string;
}

/** Asks the API server whether the current credential may perform one action (SelfSubjectAccessReview). */
export async function selfSubjectAccessReview(client: KubeClient, check: AccessCheck): Promise<AccessDecision> {
  const body = await client.post<{ status?: { allowed?: boolean; denied?: boolean; reason?: string } }>(
    "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: {
        resourceAttributes: {
          verb: check.verb,
          resource: check.resource,
          group: check.group ?? "",
          ...(check.namespace ? { namespace: check.namespace } : {}),
          ...(check.name ? { name: check.name } : {}),
          ...(check.subresource ? { subresource: check.subresource } : {}),
        },
      },
    },
    { operation: "access review", ...(check.namespace ? { namespace: check.namespace } : {}) },
  );
  const status = body.status ?? {};
  return {
    allowed: status.allowed === true,
    denied: status.denied === true,
    ...(status.reason ? { reason: status.reason } : {}),
  };
}

export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}

export interface RulesReview {
  resourceRules: ResourceRule[];
  nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[];
  incomplete: boolean;
  evaluationError?: string;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Everything the current credential may do in a namespace (SelfSubjectRulesReview). */
export async function selfSubjectRulesReview(client: KubeClient, namespace: string): Promise<RulesReview> {
  const body = await client.post<{ status?: Record<string, unknown> }>(
    "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
    { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } },
    { operation: "rules review", namespace },
  );
  const status = body.status ?? {};
  const resourceRules = Array.isArray(status.resourceRules) ? status.resourceRules.filter(isRecord) : [];
  const nonResourceRules = Array.isArray(status.nonResourceRules) ? status.nonResourceRules.filter(isRecord) : [];
  return {
    resourceRules: resourceRules.map((rule) => ({
      verbs: strings(rule.verbs),
      apiGroups: strings(rule.apiGroups),
      resources: strings(rule.resources),
      resourceNames: strings(rule.resourceNames),
    })),
    nonResourceRules: nonResourceRules.map((rule) => ({
      verbs: strings(rule.verbs),
      nonResourceURLs: strings(rule.nonResourceURLs),
    })),
    incomplete: status.incomplete === true,
    ...(typeof status.evaluationError === "string" && status.evaluationError
      ? { evaluationError: status.evaluationError }
      : {}),
  };
}

export interface ServiceAccountToken {
  token: string;
  /** When the server says the token expires. */
  expiresAt: Date;
}

/**
 * Issues a token for a ServiceAccount through the TokenRequest API (`POST …/serviceaccounts/{name}/token`). The
 * server may shorten or lengthen `expirationSeconds` (minimum 600); `expiresAt` is what it granted.
 */
export async function requestServiceAccountToken(
  client: KubeClient,
  namespace: string,
  name: string,
  expirationSeconds = 3600,
  audiences?: string[],
): Promise<ServiceAccountToken> {
  const body = await client.post<{ status?: { token?: string; expirationTimestamp?: string } }>(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`,
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds, ...(audiences ? { audiences } : {}) },
    },
    { operation: "token request", object: { apiVersion: "v1", kind: "ServiceAccount", namespace, name } },
  );
  const token = body.status?.token;
  if (!token) throw new Error(`TokenRequest for ServiceAccount ${namespace}/${name} returned no token`);
  const expiresAt = body.status?.expirationTimestamp
    ? new Date(body.status.expirationTimestamp)
    : new Date(Date.now() + expirationSeconds * 1000);
  return { token, expiresAt };
}
