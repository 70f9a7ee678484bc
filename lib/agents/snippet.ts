/**
 * The ready-to-paste install snippet shown once with an agent's enrolment token (or rotated credential). Names match
 * deploy/agent/: the agent's Deployment mounts the Secret `wharf-agent-credential` (keys `enrolment-token`, and
 * `credential`, which the agent writes itself after enrolling) and reads WHARF_URL from its environment.
 */
export const AGENT_NAMESPACE = "wharf-agent";
export const AGENT_SECRET_NAME = "wharf-agent-credential";
export const AGENT_DEPLOYMENT = "wharf-agent";
export const SECRET_KEYS = {
  enrolmentToken: "enrolment-token",
  credential: "credential",
} as const;

/** A shell snippet: namespace, the Secret with the token (or credential), the agent's manifests, Wharf's URL. */
export function agentInstallSnippet(opts: {
  wharfUrl: string;
  secret: string;
  secretKind: "enrolment-token" | "credential";
  agentName: string;
}): string {
  const key = opts.secretKind === "credential" ? SECRET_KEYS.credential : SECRET_KEYS.enrolmentToken;
  const secret = [
    `kubectl apply -f - <<'EOF'`,
    `apiVersion: v1`,
    `kind: Secret`,
    `metadata:`,
    `  name: ${AGENT_SECRET_NAME}`,
    `  namespace: ${AGENT_NAMESPACE}`,
    `type: Opaque`,
    `stringData:`,
    `  ${key}: ${JSON.stringify(opts.secret)}`,
    `EOF`,
  ];
  if (opts.secretKind === "credential") {
    return [
      `# Wharf agent "${opts.agentName}": new credential (the previous one no longer works).`,
      ...secret,
      `kubectl -n ${AGENT_NAMESPACE} rollout restart deployment/${AGENT_DEPLOYMENT}`,
      ``,
    ].join("\n");
  }
  return [
    `# Wharf agent "${opts.agentName}": run against the cluster it serves, from a Wharf checkout (deploy/agent).`,
    `kubectl create namespace ${AGENT_NAMESPACE} --dry-run=client -o yaml | kubectl apply -f -`,
    ...secret,
    `kubectl apply -k deploy/agent`,
    `kubectl -n ${AGENT_NAMESPACE} set env deployment/${AGENT_DEPLOYMENT} WHARF_URL=${JSON.stringify(opts.wharfUrl)}`,
    ``,
    `# Or run it locally against your current kubeconfig:`,
    `# WHARF_URL=${opts.wharfUrl} WHARF_ENROLMENT_TOKEN=${opts.secret} npm run agent`,
    ``,
  ].join("\n");
}
