import { X509Certificate } from "node:crypto";
import { YAMLParseError } from "yaml";
import { AppError } from "@/lib/errors";
import { parseYamlValue } from "@/lib/kube/yaml";
import { isServiceAccountJwt, parseCredentialMaterial, readJwtClaims, type ParsedCredential } from "./material";
import { ZServerUrl, dnsLabelProblem } from "@/lib/targets/schemas";
import { defaultCredentialLabel, type KubeconfigContextPreview } from "./schemas";

/** One context of a kubeconfig, resolved to its cluster and user. Holds secrets: never send it to a browser. */
export interface KubeconfigContext {
  name: string;
  cluster: string | null;
  user: string | null;
  server: string | null;
  namespace: string;
  caPem: string | null;
  insecureSkipTlsVerify: boolean;
  credential: ParsedCredential | null;
  credentialNote: string | null;
  problems: string[];
}

export interface ParsedKubeconfig {
  currentContext: string | null;
  contexts: KubeconfigContext[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

function invalid(message: string): AppError {
  return new AppError("INVALID_KUBECONFIG", message, { fields: { kubeconfig: [message] } });
}

/** kubeconfig's named lists (`clusters: [{name, cluster: {...}}]`) as a map of name → inner object. */
function namedList(doc: Obj, list: string, inner: string): Map<string, Obj> {
  const out = new Map<string, Obj>();
  const value = doc[list];
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) throw invalid(`"${list}" must be a list.`);
  for (const item of value) {
    if (!isObj(item)) continue;
    const name = str(item.name);
    if (name && !out.has(name)) out.set(name, isObj(item[inner]) ? item[inner] : {});
  }
  return out;
}

function decodeBase64Field(value: unknown): Buffer | null {
  if (typeof value !== "string") return null;
  const compact = value.replace(/\s+/g, "");
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, "base64");
}

/** certificate-authority-data is base64 of PEM (sometimes of DER); returns normalised PEM, or a problem. */
function caBundleFrom(cluster: Obj): { pem: string | null; problem: string | null } {
  const data = cluster["certificate-authority-data"];
  if (data !== undefined && data !== null) {
    const bytes = decodeBase64Field(data);
    if (!bytes) return { pem: null, problem: "certificate-authority-data is not base64." };
    const text = bytes.toString("utf8");
    try {
      if (text.includes("-----BEGIN CERTIFICATE-----")) {
        const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
        for (const b of blocks) new X509Certificate(b);
        return { pem: `${blocks.join("\n")}\n`, problem: null };
      }
      return { pem: new X509Certificate(bytes).toString(), problem: null };
    } catch {
      return { pem: null, problem: "certificate-authority-data does not hold a valid X.509 certificate." };
    }
  }
  const file = str(cluster["certificate-authority"]);
  if (file) {
    return {
      pem: null,
      problem: `The cluster's CA is a file path (${file}), which Wharf cannot read from your machine. Run \`kubectl config view --raw --flatten\` to inline it, then paste that.`,
    };
  }
  return { pem: null, problem: null };
}

function serverFrom(cluster: Obj): { server: string | null; problem: string | null } {
  const server = str(cluster.server);
  if (!server) return { server: null, problem: "The cluster has no server URL." };
  // The same rule as the target form, so an imported target is one that could have been typed in.
  const checked = ZServerUrl.safeParse(server.replace(/\/+$/, ""));
  if (!checked.success)
    return {
      server: null,
      problem: `The cluster's server URL is not usable: ${checked.error.issues[0]?.message ?? "invalid"}`,
    };
  return { server: checked.data, problem: null };
}

/** The user's credential when it is inline; otherwise a note saying why none can be imported. */
function credentialFrom(user: Obj | undefined): { credential: ParsedCredential | null; note: string | null } {
  if (!user) return { credential: null, note: "The context names a user that is not in the kubeconfig." };
  try {
    const token = str(user.token);
    if (token) {
      const kind = isServiceAccountJwt(readJwtClaims(token)) ? "service-account-token" : "bearer-token";
      return { credential: parseCredentialMaterial({ kind, token }), note: null };
    }
    const certData = user["client-certificate-data"];
    const keyData = user["client-key-data"];
    if (certData !== undefined && keyData !== undefined) {
      const cert = decodeBase64Field(certData);
      const key = decodeBase64Field(keyData);
      if (!cert || !key) return { credential: null, note: "client-certificate-data or client-key-data is not base64." };
      return {
        credential: parseCredentialMaterial({
          kind: "client-certificate",
          certPem: cert.toString("utf8"),
          keyPem: key.toString("utf8"),
        }),
        note: null,
      };
    }
  } catch (err) {
    // parseCredentialMaterial's messages describe the rule, never the material.
    return {
      credential: null,
      note: `The user's credential cannot be imported: ${err instanceof Error ? err.message : "invalid"}`,
    };
  }
  if (isObj(user.exec)) {
    const command = str(user.exec.command);
    return {
      credential: null,
      note: `No importable credential: the user runs an exec plugin${command ? ` (${command.split(/[\\/]/).pop()})` : ""}, which only works on your machine.`,
    };
  }
  if (isObj(user["auth-provider"])) {
    return {
      credential: null,
      note: `No importable credential: the user uses the ${str(user["auth-provider"].name) ?? "legacy"} auth provider.`,
    };
  }
  if (str(user.tokenFile) || str(user["client-certificate"]) || str(user["client-key"])) {
    return {
      credential: null,
      note: "No importable credential: the user's token or certificate is a file path. Run `kubectl config view --raw --flatten` to inline it.",
    };
  }
  if (str(user.username) || str(user.password)) {
    return { credential: null, note: "No importable credential: basic authentication is not supported." };
  }
  return { credential: null, note: "No importable credential: the user has no token or client certificate." };
}

/**
 * Parses a kubeconfig (YAML or JSON) into its contexts. Only structural failures throw (INVALID_KUBECONFIG);
 * a context that cannot be imported carries `problems`, and one without an importable user carries a
 * `credentialNote`, so one odd context never blocks the others.
 */
export function parseKubeconfig(text: string): ParsedKubeconfig {
  let doc: unknown;
  try {
    doc = parseYamlValue(text, { prettyErrors: false });
  } catch (err) {
    // Only the expansion refusal is worth spelling out; other parser messages may quote the (secret) input.
    throw invalid(
      err instanceof YAMLParseError && err.code === "RESOURCE_EXHAUSTION"
        ? `This YAML is refused: ${err.message}.`
        : "This is not valid YAML.",
    );
  }
  if (!isObj(doc))
    throw invalid("This is not a kubeconfig (expected a YAML mapping with clusters, users and contexts).");
  if (doc.kind !== undefined && doc.kind !== "Config")
    throw invalid(`This is a ${String(doc.kind)}, not a kubeconfig (kind: Config).`);
  const clusters = namedList(doc, "clusters", "cluster");
  const users = namedList(doc, "users", "user");
  const contextsRaw = doc.contexts;
  if (!Array.isArray(contextsRaw) || contextsRaw.length === 0) throw invalid("The kubeconfig has no contexts.");

  const seen = new Set<string>();
  const contexts: KubeconfigContext[] = [];
  for (const item of contextsRaw) {
    if (!isObj(item)) continue;
    const name = str(item.name);
    if (!name || seen.has(name)) continue;
    seen.add(name);
    const ctx = isObj(item.context) ? item.context : {};
    const clusterName = str(ctx.cluster);
    const userName = str(ctx.user);
    const problems: string[] = [];
    const cluster = clusterName ? clusters.get(clusterName) : undefined;
    let server: string | null = null;
    let caPem: string | null = null;
    let insecure = false;
    if (!cluster) {
      problems.push(
        clusterName ? `The cluster "${clusterName}" is not in the kubeconfig.` : "The context names no cluster.",
      );
    } else {
      const s = serverFrom(cluster);
      server = s.server;
      if (s.problem) problems.push(s.problem);
      insecure = cluster["insecure-skip-tls-verify"] === true;
      const ca = caBundleFrom(cluster);
      caPem = ca.pem;
      if (ca.problem) problems.push(ca.problem);
    }
    const { credential, note } = userName
      ? credentialFrom(users.get(userName))
      : { credential: null, note: "No importable credential: the context names no user." };
    contexts.push({
      name,
      cluster: clusterName,
      user: userName,
      server,
      namespace: str(ctx.namespace) ?? "default",
      caPem,
      insecureSkipTlsVerify: insecure,
      credential,
      credentialNote: note,
      problems,
    });
  }
  if (contexts.length === 0) throw invalid("The kubeconfig has no named contexts.");
  return { currentContext: str(doc["current-context"]), contexts };
}

/**
 * A valid target name (DNS-1123 label) from a context name: `arn:aws:eks:eu-west-1:1234:cluster/Prod` →
 * `arn-aws-eks-eu-west-1-1234-cluster-prod`; long names keep their end, where the cluster's own name usually is.
 */
export function deriveTargetName(contextName: string): string {
  let name = contextName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  if (name.length > 63) name = name.slice(-63).replace(/^-+/, "");
  if (!name || dnsLabelProblem(name)) return "target";
  return name;
}

/** The browser-safe view of one context: everything the import page shows, and nothing secret. */
export function previewContext(
  ctx: KubeconfigContext,
  opts: { currentContext: string | null; takenNames: ReadonlySet<string> },
): KubeconfigContextPreview {
  const suggestedName = deriveTargetName(ctx.name);
  const meta = ctx.credential?.metadata;
  return {
    context: ctx.name,
    suggestedName,
    cluster: ctx.cluster,
    user: ctx.user,
    server: ctx.server,
    namespace: ctx.namespace,
    hasCaBundle: ctx.caPem !== null,
    insecureSkipTlsVerify: ctx.insecureSkipTlsVerify,
    credential: meta
      ? {
          kind: meta.kind,
          fingerprint: meta.fingerprint,
          subject: meta.subject,
          expiresAt: meta.expiresAt?.toISOString() ?? null,
          label: defaultCredentialLabel(suggestedName, meta.kind),
        }
      : null,
    // Filled in by the preview's rules review (data/import-targets.ts), which needs the network.
    clusterAdmin: null,
    scopeCheckError: null,
    credentialNote: ctx.credentialNote,
    problems: ctx.problems,
    nameTaken: opts.takenNames.has(suggestedName),
    isCurrent: opts.currentContext === ctx.name,
  };
}
