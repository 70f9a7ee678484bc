/** Wires the sandbox together: certificates, tokens, store, HTTPS server, simulator, persistence. */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, writeFile } from "node:fs/promises";
import { writeFileSync, renameSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { Authorizer, Clock, GROUPS_CLAIM, TokenAuthority } from "./auth";
import { bootstrap } from "./bootstrap";
import { ensureCertificates } from "./certs";
import { Cluster } from "./cluster";
import { ApiHandler } from "./handler";
import { ResourceRegistry } from "./resources";
import { Simulator } from "./simulator";
import { Store } from "./store";
import type { Snapshot } from "./store";
import type { MintTokenOptions, Sandbox, SandboxOptions } from "./types";

export interface SandboxInternals {
  store: Store;
  cluster: Cluster;
  clock: Clock;
  /** The controllers; tests move Event expiry forward with it. */
  simulator: Simulator;
  /** Issues a token without the 10-minute minimum the API enforces, for expiry tests. */
  mintTokenUnchecked(opts: MintTokenOptions & { expirationSeconds: number }): string;
}

const internals = new WeakMap<Sandbox, SandboxInternals>();

/** Test hooks for a running sandbox (clock, store); not part of the public interface. */
export function sandboxInternals(sandbox: Sandbox): SandboxInternals {
  const i = internals.get(sandbox);
  if (!i) throw new Error("not a sandbox started by startSandbox");
  return i;
}

const ADMIN_TOKEN_SECONDS = 10 * 365 * 24 * 3600;
const PERSIST_DEBOUNCE_MS = 250;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? "127.0.0.1";
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), "wharf-sandbox-")));
  await mkdir(dataDir, { recursive: true });
  const [certs, clock] = [await ensureCertificates(dataDir), new Clock()];
  const authority = await TokenAuthority.load(dataDir, clock);

  const registry = new ResourceRegistry();
  const store = new Store();
  const statePath = path.join(dataDir, "state.json");
  if (opts.persist && existsSync(statePath)) {
    const snapshot = JSON.parse(await readFile(statePath, "utf8")) as Snapshot;
    store.load(snapshot);
    for (const crd of store.list("apiextensions.k8s.io/customresourcedefinitions")) registry.setCrd(crd);
  }
  const cluster = new Cluster(store, registry);
  cluster.rootCaPem = certs.caPem;
  const simulator = new Simulator(cluster, opts.rolloutDelayMs ?? 1500);
  bootstrap(cluster);
  simulator.resync();

  const issueServiceAccountToken = (
    namespace: string,
    name: string,
    expirationSeconds: number,
    audiences: string[] | undefined,
  ) => {
    const sa = store.get("/serviceaccounts", namespace, name);
    if (!sa) throw new Error(`serviceaccount ${namespace}/${name} not found`);
    const { token, claims } = authority.issue({
      sub: `system:serviceaccount:${namespace}:${name}`,
      "kubernetes.io": { namespace, serviceaccount: { name, uid: sa.metadata.uid ?? "" } },
      expirationSeconds,
      ...(audiences ? { aud: audiences } : {}),
    });
    return { token, exp: claims.exp };
  };

  let address = "";
  const handler = new ApiHandler({
    cluster,
    store,
    registry,
    authority,
    authorizer: new Authorizer(store),
    serverAddress: () => address,
    throttleEveryNth: opts.throttle?.everyNth,
    bookmarkIntervalMs: 5_000,
    issueServiceAccountToken,
  });

  const server = https.createServer(
    { key: certs.keyPem, cert: certs.certPem, ALPNProtocols: ["http/1.1"] },
    (req, res) => {
      void handler.handle(req, res);
    },
  );
  // Clients keep connections open between requests; outlive their idle timeouts (Go: 90s) to avoid reset races.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const url = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;

  // Persistence: debounced snapshots after changes, and a final synchronous one on stop.
  let persistTimer: NodeJS.Timeout | undefined;
  let persisting: Promise<void> = Promise.resolve();
  const persistNow = async () => {
    const tmp = `${statePath}.tmp`;
    await writeFile(tmp, JSON.stringify(store.snapshot()));
    await rename(tmp, statePath);
  };
  if (opts.persist) {
    store.onChange(() => {
      if (persistTimer) return;
      persistTimer = setTimeout(() => {
        persistTimer = undefined;
        persisting = persisting.then(persistNow).catch((e: unknown) => {
          console.error("sandbox: snapshot failed", e);
        });
      }, PERSIST_DEBOUNCE_MS);
      persistTimer.unref();
    });
  }

  const mint = (o: MintTokenOptions, expirationSeconds: number): string => {
    if (o.serviceAccount) {
      const { namespace, name } = o.serviceAccount;
      const nsDef = registry.get("", "v1", "namespaces");
      const saDef = registry.get("", "v1", "serviceaccounts");
      if (nsDef && !cluster.find(nsDef, undefined, namespace)) {
        cluster.create(
          nsDef,
          undefined,
          { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
          { fieldManager: "wharf-sandbox", dryRun: false },
        );
      }
      if (saDef && !cluster.find(saDef, namespace, name)) {
        cluster.create(
          saDef,
          namespace,
          { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } },
          { fieldManager: "wharf-sandbox", dryRun: false },
        );
      }
      return issueServiceAccountToken(namespace, name, expirationSeconds, undefined).token;
    }
    if (!o.user) throw new Error("mintToken needs a serviceAccount or a user");
    return authority.issue({ sub: o.user, [GROUPS_CLAIM]: o.groups ?? [], expirationSeconds }).token;
  };

  const adminToken = authority.issue({
    sub: "kubernetes-admin",
    [GROUPS_CLAIM]: ["system:masters"],
    expirationSeconds: ADMIN_TOKEN_SECONDS,
  }).token;
  const kubeconfig = YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "wharf-sandbox",
        cluster: { server: url, "certificate-authority-data": Buffer.from(certs.caPem).toString("base64") },
      },
    ],
    users: [{ name: "wharf-sandbox-admin", user: { token: adminToken } }],
    contexts: [
      {
        name: "wharf-sandbox",
        context: { cluster: "wharf-sandbox", user: "wharf-sandbox-admin", namespace: "default" },
      },
    ],
    "current-context": "wharf-sandbox",
    preferences: {},
  });
  const kubeconfigPath = path.join(dataDir, "kubeconfig");
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

  let stopped = false;
  const sandbox: Sandbox = {
    url,
    caPem: certs.caPem,
    adminToken,
    kubeconfigPath,
    kubeconfig,
    mintToken(o: MintTokenOptions): string {
      const seconds = o.expirationSeconds ?? 3600;
      if (seconds < 600)
        throw new Error("expirationSeconds may not be less than 600 (10 minutes), as with the TokenRequest API");
      return mint(o, seconds);
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      simulator.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (opts.persist) {
        if (persistTimer) clearTimeout(persistTimer);
        await persisting;
        const tmp = `${statePath}.tmp`;
        writeFileSync(tmp, JSON.stringify(store.snapshot()));
        renameSync(tmp, statePath);
      }
    },
  };
  internals.set(sandbox, {
    store,
    cluster,
    simulator,
    clock,
    mintTokenUnchecked: (o) => mint(o, o.expirationSeconds),
  });
  return sandbox;
}
