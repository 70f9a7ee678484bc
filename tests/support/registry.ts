import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, createPrivateKey, randomUUID, sign } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

/**
 * Debian's real `docker-registry` (distribution 2.8) on 127.0.0.1 with filesystem storage in a temporary directory,
 * for tests of the agent's image watching. Images are pushed through the v2 API (config blob, one layer, a Docker
 * schema 2 manifest per tag). With `auth: "token"`, the registry answers `WWW-Authenticate: Bearer …` and trusts a
 * token service started alongside it (ES256 JWTs with an x5c certificate chain, as Docker's own token servers
 * issue), which demands basic credentials.
 */

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the host part of image references. */
  host: string;
  url: string;
  /** Pushes a tiny image as `name:tag`; returns the manifest digest. */
  pushImage(name: string, tag: string): Promise<string>;
  /** Token-auth registries: the credentials the token service accepts. */
  credentials?: { username: string; password: string };
  /** Requests the token service answered (for asserting the challenge flow ran). */
  tokenRequests(): number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer at ${url} within ${timeoutMs} ms`);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, (err, _stdout, stderr) => (err ? reject(new Error(`${cmd} failed: ${stderr}`)) : resolve())),
  );
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

interface TokenIssuer {
  issue(access: { type: string; name: string; actions: string[] }[], subject: string): string;
}

async function makeIssuer(
  dir: string,
  service: string,
  issuer: string,
): Promise<{ issuer: TokenIssuer; certPath: string }> {
  const keyPath = path.join(dir, "token.key");
  const certPath = path.join(dir, "token.crt");
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "2",
    "-subj",
    "/CN=wharf-test-token-issuer",
  ]);
  const key = createPrivateKey(fs.readFileSync(keyPath));
  const der = fs
    .readFileSync(certPath, "utf8")
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, "")
    .replace(/\s+/g, "");
  return {
    certPath,
    issuer: {
      issue(access, subject) {
        const now = Math.floor(Date.now() / 1000);
        const header = b64url(JSON.stringify({ alg: "ES256", typ: "JWT", x5c: [der] }));
        const claims = b64url(
          JSON.stringify({
            iss: issuer,
            sub: subject,
            aud: service,
            exp: now + 600,
            nbf: now - 10,
            iat: now,
            jti: randomUUID(),
            access,
          }),
        );
        const signature = sign("sha256", Buffer.from(`${header}.${claims}`), { key, dsaEncoding: "ieee-p1363" });
        return `${header}.${claims}.${b64url(signature)}`;
      },
    },
  };
}

/** Starts docker-registry (anonymous by default, or behind Bearer token auth) on a free loopback port. */
export async function startRegistry(opts: { auth?: "none" | "token" } = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-registry-"));
  const service = "wharf-test-registry";
  const issuerName = "wharf-test-issuer";
  let tokenServer: http.Server | undefined;
  let issuer: TokenIssuer | undefined;
  let tokenRequests = 0;
  const credentials = { username: "robot", password: `pw-${randomUUID()}` };
  let authConfig = "";
  if (opts.auth === "token") {
    const made = await makeIssuer(dir, service, issuerName);
    issuer = made.issuer;
    const tokenIssuer = made.issuer;
    tokenServer = http.createServer((req, res) => {
      tokenRequests++;
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ details: "bad credentials" }));
        return;
      }
      const access = url.searchParams.getAll("scope").flatMap((scope) => {
        const [type, name, actions] = scope.split(":");
        return type && name ? [{ type, name, actions: (actions ?? "").split(",").filter((a) => a === "pull") }] : [];
      });
      const token = tokenIssuer.issue(access, credentials.username);
      res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ token, access_token: token, expires_in: 600 }));
    });
    await new Promise<void>((resolve) => tokenServer!.listen(0, "127.0.0.1", resolve));
    const address = tokenServer.address();
    const tokenPort = typeof address === "object" && address ? address.port : 0;
    authConfig = `auth:\n  token:\n    realm: http://127.0.0.1:${tokenPort}/token\n    service: ${service}\n    issuer: ${issuerName}\n    rootcertbundle: ${made.certPath}\n`;
  }

  // Without this check a missing binary is an unhandled 'error' event (spawn ENOENT) that takes the worker down.
  if (!fs.existsSync("/usr/bin/docker-registry")) {
    throw new Error(
      "/usr/bin/docker-registry is missing: install the Debian package docker-registry (npm test's preflight does, as root)",
    );
  }
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const configPath = path.join(dir, "config.yml");
    fs.writeFileSync(
      configPath,
      `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${authConfig}`,
    );
    const candidate = spawn("/usr/bin/docker-registry", ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
    candidate.stderr?.resume();
    try {
      await waitForHttp(`http://127.0.0.1:${port}/v2/`, candidate);
      child = candidate;
    } catch {
      candidate.kill();
    }
  }
  if (!child) throw new Error("could not start docker-registry");
  const registry = child;
  const url = `http://127.0.0.1:${port}`;

  const pushHeaders = (name: string): Record<string, string> =>
    issuer
      ? {
          Authorization: `Bearer ${issuer.issue([{ type: "repository", name, actions: ["pull", "push"] }], "test-pusher")}`,
        }
      : {};

  async function pushBlob(name: string, content: Buffer): Promise<string> {
    const digest = `sha256:${createHash("sha256").update(content).digest("hex")}`;
    const start = await fetch(`${url}/v2/${name}/blobs/uploads/`, { method: "POST", headers: pushHeaders(name) });
    if (start.status !== 202) throw new Error(`blob upload start for ${name}: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get("location") ?? "", url);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, {
      method: "PUT",
      headers: { ...pushHeaders(name), "Content-Type": "application/octet-stream" },
      body: new Uint8Array(content),
    });
    if (put.status !== 201) throw new Error(`blob upload for ${name}: ${put.status} ${await put.text()}`);
    return digest;
  }

  return {
    host: `127.0.0.1:${port}`,
    url,
    ...(opts.auth === "token" ? { credentials } : {}),
    tokenRequests: () => tokenRequests,
    async pushImage(name, tag) {
      const config = Buffer.from(
        JSON.stringify({
          architecture: "amd64",
          os: "linux",
          config: { Labels: { tag } },
          rootfs: { type: "layers", diff_ids: [] },
        }),
      );
      const layer = gzipSync(Buffer.alloc(1024));
      const configDigest = await pushBlob(name, config);
      const layerDigest = await pushBlob(name, layer);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: {
          mediaType: "application/vnd.docker.container.image.v1+json",
          size: config.length,
          digest: configDigest,
        },
        layers: [
          { mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: layer.length, digest: layerDigest },
        ],
      });
      const res = await fetch(`${url}/v2/${name}/manifests/${tag}`, {
        method: "PUT",
        headers: { ...pushHeaders(name), "Content-Type": "application/vnd.docker.distribution.manifest.v2+json" },
        body: manifest,
      });
      if (res.status !== 201) throw new Error(`manifest push ${name}:${tag}: ${res.status} ${await res.text()}`);
      return res.headers.get("docker-content-digest") ?? "";
    },
    async stop() {
      if (registry.exitCode === null) {
        const exited = new Promise((resolve) => registry.once("exit", resolve));
        registry.kill();
        await exited;
      }
      if (tokenServer) await new Promise((resolve) => tokenServer!.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
