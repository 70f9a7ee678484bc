/**
 * The ready-to-paste install snippet shown once with an agent's enrolment token (or rotated credential). The
 * names match deploy/agent/: the agent's Deployment reads WHARF_URL and either WHARF_ENROLMENT_TOKEN (first
 * start: it enrols and keeps the credential in its state) or WHARF_AGENT_CREDENTIAL from this Secret.
 */
export const AGENT_NAMESPACE = "wharf-agent";
export const AGENT_SECRET_NAME = "wharf-agent";
export const SECRET_KEYS = {
  url: "WHARF_URL",
  enrolmentToken: "WHARF_ENROLMENT_TOKEN",
  credential: "WHARF_AGENT_CREDENTIAL",
} as const;

/** A shell snippet: namespace, the Secret with Wharf's URL and the secret, then the agent's manifests. */
export function agentInstallSnippet(opts: { wharfUrl: string; secret: string; secretKind: "enrolment-token" | "credential"; agentName: string }): string {
  const key = opts.secretKind === "credential" ? SECRET_KEYS.credential : SECRET_KEYS.enrolmentToken;
  const quote = (v: string) => JSON.stringify(v);
  return [
    `# Wharf agent "${opts.agentName}": run against the cluster the agent serves.`,
    `kubectl create namespace ${AGENT_NAMESPACE} --dry-run=client -o yaml | kubectl apply -f -`,
    `kubectl apply -f - <<'EOF'`,
    `apiVersion: v1`,
    `kind: Secret`,
    `metadata:`,
    `  name: ${AGENT_SECRET_NAME}`,
    `  namespace: ${AGENT_NAMESPACE}`,
    `type: Opaque`,
    `stringData:`,
    `  ${SECRET_KEYS.url}: ${quote(opts.wharfUrl)}`,
    `  ${key}: ${quote(opts.secret)}`,
    `EOF`,
    ...(opts.secretKind === "credential"
      ? [`kubectl -n ${AGENT_NAMESPACE} rollout restart deployment/wharf-agent`]
      : [`kubectl apply -k deploy/agent/   # from a Wharf checkout: ServiceAccount, RBAC, Deployment`]),
    ``,
  ].join("\n");
}
