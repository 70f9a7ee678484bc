/**
 * startRealCluster(): a real Kubernetes control plane on loopback, built from Go modules by `npm run cluster:build` —
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (a fake node that turns scheduled Pods
 * Running/Ready) — the twin of startSandbox() for tests that must hold against the real API server.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { findToolBinaries } from "../../../gotools/binaries.mjs";
import { ensureCertificates } from "../sandbox/certs";
import { apiRequest, mintServiceAccountToken } from "./api";
import { kwokStages } from "./kwok";
import { ProcessGroup, logTail } from "./processes";
import { RealClusterUnavailableError, type RealCluster, type RealClusterInfo, type RealClusterOptions } from "./types";

const COMMANDS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "kwok-stages.yaml",
] as const;
const NODE_NAME = "wharf-node-0";
const SERVICE_CIDR = "10.96.0.0/16";
const POD_CIDR = "10.244.0.1/16";
const ISSUER = "https://kubernetes.default.svc.cluster.local";

/** Free loopback ports, all held open until each is known so two of them can never be the same. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      return new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(server));
      });
    }),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function kubeconfigYaml(url: string, caPem: string, token: string): string {
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "wharf-real",
        cluster: { server: url, "certificate-authority-data": Buffer.from(caPem).toString("base64") },
      },
    ],
    users: [{ name: "wharf-real-admin", user: { token } }],
    contexts: [
      { name: "wharf-real", context: { cluster: "wharf-real", user: "wharf-real-admin", namespace: "default" } },
    ],
    "current-context": "wharf-real",
    preferences: {},
  });
}

/** Resolves the binaries, or throws RealClusterUnavailableError naming what is missing. */
export function realClusterBinaries(
  given?: Partial<Record<string, string>>,
): Record<(typeof COMMANDS)[number], string> {
  const paths = given ?? findToolBinaries().paths;
  const missing = COMMANDS.filter((c) => !paths[c]);
  if (missing.length > 0) throw new RealClusterUnavailableError(missing);
  return Object.fromEntries(COMMANDS.map((c) => [c, paths[c] as string])) as Record<(typeof COMMANDS)[number], string>;
}

/** Polls `probe` until it returns true; fails early when a component exited, with the tail of its log. */
async function waitFor(
  what: string,
  group: ProcessGroup,
  deadline: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  let last = "";
  for (;;) {
    const dead = group.exitedComponent();
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${logTail(dead.logPath)}`);
    try {
      if (await probe()) return;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts etcd, the API server (TLS with its own CA on a free loopback port; a static admin token in system:masters;
 * RBAC; service-account issuer and keys so TokenRequest works), the controller-manager, the scheduler and kwok, waits
 * until the API server is ready, the fake node is Ready and the default ServiceAccount exists, and returns the same
 * shape as startSandbox(). Every component dies with the calling process, however it ends.
 */
export async function startRealCluster(
  opts: RealClusterOptions = {},
): Promise<RealCluster & { startupMs: number; dataDir: string }> {
  const started = Date.now();
  const bin = realClusterBinaries(opts.binaries);
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), "wharf-real-cluster-")));
  await Promise.all(["logs", "tmp", "etcd"].map((d) => mkdir(path.join(dataDir, d), { recursive: true })));
  const group = new ProcessGroup(dataDir, opts.dataDir === undefined);
  try {
    const deadline = started + (opts.readyTimeoutMs ?? 90_000);
    const [etcdClient, etcdPeer, apiPort] = (await freePorts(3)) as [number, number, number];
    const url = `https://127.0.0.1:${apiPort}`;
    const file = (name: string) => path.join(dataDir, name);

    const certs = await ensureCertificates(dataDir);
    const adminToken = randomBytes(32).toString("base64url");
    const serviceAccountKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const kubeconfig = kubeconfigYaml(url, certs.caPem, adminToken);
    await Promise.all([
      writeFile(file("apiserver.crt"), certs.certPem),
      writeFile(file("apiserver.key"), certs.keyPem, { mode: 0o600 }),
      writeFile(file("sa.pub"), serviceAccountKey.publicKey.export({ type: "spki", format: "pem" })),
      writeFile(file("sa.key"), serviceAccountKey.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 }),
      writeFile(file("tokens.csv"), `${adminToken},kubernetes-admin,kubernetes-admin,"system:masters"\n`, {
        mode: 0o600,
      }),
      writeFile(file("kubeconfig"), kubeconfig, { mode: 0o600 }),
      readFile(bin["kwok-stages.yaml"], "utf8").then((stages) => writeFile(file("kwok.yaml"), kwokStages(stages))),
    ]);

    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    group.start("etcd", bin.etcd, [
      "--name=wharf",
      `--data-dir=${file("etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=wharf=${peerUrl}`,
      // A throwaway test store: losing it on a power cut costs nothing, fsync costs seconds per test run.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    group.start("kube-apiserver", bin["kube-apiserver"], [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${file("apiserver.crt")}`,
      `--tls-private-key-file=${file("apiserver.key")}`,
      `--client-ca-file=${file("ca.crt")}`,
      `--token-auth-file=${file("tokens.csv")}`,
      "--authorization-mode=RBAC",
      `--service-account-issuer=${ISSUER}`,
      `--service-account-key-file=${file("sa.pub")}`,
      `--service-account-signing-key-file=${file("sa.key")}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      "--profiling=false",
      "--v=0",
    ]);

    const info: RealClusterInfo = {
      url,
      caPem: certs.caPem,
      adminToken,
      kubeconfigPath: file("kubeconfig"),
      kubeconfig,
      version: "",
      nodeName: NODE_NAME,
    };
    await waitFor(
      "the API server's /readyz",
      group,
      deadline,
      async () => (await apiRequest(info, "GET", "/readyz")).status === 200,
    );

    const common = [
      `--kubeconfig=${file("kubeconfig")}`,
      "--leader-elect=false",
      "--secure-port=0",
      "--profiling=false",
      // Their client-side rate limits (controller-manager 20 requests/s, scheduler 50) are sized for a shared
      // production API server; here they were the whole rollout wait: a 50-Deployment apply took ~15 s to roll out
      // (ReplicaSet, Pod, binding, events and status writes, ~7 per Deployment, queued at 20/s), and test files running
      // at once queue behind each other's rollouts. Lifted as kwokctl's --disable-qps-limits does (kwok's own client
      // has none): one test cluster on loopback.
      "--kube-api-qps=5000",
      "--kube-api-burst=10000",
    ];
    group.start("kube-controller-manager", bin["kube-controller-manager"], [
      ...common,
      `--root-ca-file=${file("ca.crt")}`,
      `--service-account-private-key-file=${file("sa.key")}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
    ]);
    group.start(
      "kube-scheduler",
      bin["kube-scheduler"],
      common.filter((a) => a !== "--profiling=false"),
    );
    // kwok manages only this node and renews its Lease (the node controller's heartbeat); without --server-address it
    // opens no port of its own.
    group.start("kwok", bin.kwok, [
      `--config=${file("kwok.yaml")}`,
      `--kubeconfig=${file("kubeconfig")}`,
      `--manage-single-node=${NODE_NAME}`,
      "--node-lease-duration-seconds=40",
      `--cidr=${POD_CIDR}`,
      "--node-ip=10.244.0.1",
    ]);
    const node = await apiRequest(info, "POST", "/api/v1/nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: NODE_NAME,
        annotations: { "node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake" },
        labels: {
          "kubernetes.io/hostname": NODE_NAME,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          type: "kwok",
        },
      },
      status: {
        allocatable: { cpu: "32", memory: "256Gi", pods: "1000" },
        capacity: { cpu: "32", memory: "256Gi", pods: "1000" },
      },
    });
    if (node.status !== 201) throw new Error(`creating the fake node: ${node.status} ${node.body.slice(0, 300)}`);

    await waitFor("the fake node to be Ready", group, deadline, async () => {
      const res = await apiRequest(info, "GET", `/api/v1/nodes/${NODE_NAME}`);
      const conditions =
        (JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ??
        [];
      return conditions.some((c) => c.type === "Ready" && c.status === "True");
    });
    // The controller-manager creates it; until then Pods in the namespace are refused, so tests would race it.
    await waitFor(
      "the default ServiceAccount",
      group,
      deadline,
      async () => (await apiRequest(info, "GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
    );
    const version = await apiRequest(info, "GET", "/version");
    info.version = (JSON.parse(version.body) as { gitVersion?: string }).gitVersion ?? "";

    return {
      ...info,
      dataDir,
      startupMs: Date.now() - started,
      mintToken: (o) => mintServiceAccountToken(info, o),
      stop: () => group.stop(),
    };
  } catch (e) {
    await group.stop();
    throw e;
  }
}

/** A handle on a control plane started elsewhere (e.g. in a vitest globalSetup); its stop() leaves it running. */
export function connectRealCluster(info: RealClusterInfo): RealCluster {
  return { ...info, mintToken: (o) => mintServiceAccountToken(info, o), stop: async () => undefined };
}
