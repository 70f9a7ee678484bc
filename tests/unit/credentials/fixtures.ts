import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A self-signed client certificate and its key, made by the real openssl, valid for `days`. */
export function makeCertificate(opts: { cn?: string; days?: number } = {}): { certPem: string; keyPem: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-cert-"));
  try {
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        String(opts.days ?? 1),
        "-subj",
        `/CN=${opts.cn ?? "alice"}/O=devs`,
      ],
      { stdio: "ignore" },
    );
    return { certPem: fs.readFileSync(cert, "utf8"), keyPem: fs.readFileSync(key, "utf8") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An unsigned JWT with the given claims (Wharf reads claims without verifying, as the cluster verifies). */
export function makeJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256", kid: "test" })}.${b64(claims)}.${Buffer.from("signature-bytes-not-checked").toString("base64url")}`;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

/**
 * A kubeconfig with three contexts: a service-account token user, a client-certificate user and an exec-plugin
 * user (not importable), plus the material so tests can look for it.
 */
export function threeContextKubeconfig(): {
  yaml: string;
  token: string;
  cert: { certPem: string; keyPem: string };
  ca: string;
} {
  const ca = makeCertificate({ cn: "cluster-ca", days: 30 }).certPem;
  const cert = makeCertificate({ cn: "kube-admin", days: 10 });
  const token = makeJwt({
    iss: "kubernetes/serviceaccount",
    sub: "system:serviceaccount:wharf:deployer",
    exp: Math.floor(Date.now() / 1000) + 3600,
    iat: Math.floor(Date.now() / 1000),
  });
  const yaml = `apiVersion: v1
kind: Config
current-context: Staging_EU
clusters:
- name: staging
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: ${b64(ca)}
- name: prod
  cluster:
    server: https://prod.example.com:6443/
    certificate-authority-data: ${b64(ca)}
- name: eks
  cluster:
    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com
    insecure-skip-tls-verify: true
users:
- name: sa
  user:
    token: ${token}
- name: admin
  user:
    client-certificate-data: ${b64(cert.certPem)}
    client-key-data: ${b64(cert.keyPem)}
- name: aws
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: /usr/local/bin/aws
      args: [eks, get-token, --cluster-name, prod]
contexts:
- name: Staging_EU
  context: {cluster: staging, user: sa, namespace: apps}
- name: prod-admin
  context: {cluster: prod, user: admin}
- name: arn:aws:eks:eu-west-1:123456789012:cluster/Prod
  context: {cluster: eks, user: aws}
`;
  return { yaml, token, cert, ca };
}

interface RawQueryable {
  $queryRawUnsafe<T = unknown>(query: string): Promise<T>;
}

/**
 * Every row of every table in the database (including Prisma's own), as one JSON string: the haystack for
 * "the secret is nowhere in the database". Reads the catalog, so a table added later is searched too.
 */
export async function dumpWholeDatabase(
  db: RawQueryable,
  kind: "sqlite" | "postgresql",
): Promise<{ text: string; tables: string[] }> {
  const tables =
    kind === "sqlite"
      ? (await db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map(
          (r) => r.name,
        )
      : (
          await db.$queryRawUnsafe<{ tablename: string }[]>(
            `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`,
          )
        ).map((r) => r.tablename);
  const dump: Record<string, unknown[]> = {};
  for (const table of tables) {
    dump[table] = await db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table.replace(/"/g, '""')}"`);
  }
  const text = JSON.stringify(dump, (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v,
  );
  return { text, tables };
}

/** The forms a leaked secret could take in a text column: as is, base64, base64url, hex. */
export function secretForms(secret: string): string[] {
  const b = Buffer.from(secret);
  return [secret, b.toString("base64"), b.toString("base64url"), b.toString("hex")];
}
