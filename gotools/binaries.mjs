// Where the Go-built tools live: one table of wrapper modules (each a folder under gotools/ with go.mod and go.sum) and
// the cache directory each one builds into. Shared by gotools/build.mjs (which builds) and lib/kube/real-cluster and
// the tests (which only look), so the two can never disagree about a path. Plain Node, no dependencies.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const GOTOOLS_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Bump when the build recipe below changes in a way go.mod/go.sum do not show (flags, output names). */
const RECIPE = "1";

/** The module a wrapper requires, read from its go.mod (`require <module> <version>`). */
function requiredVersion(dir, module) {
  const goMod = readFileSync(path.join(GOTOOLS_DIR, dir, "go.mod"), "utf8");
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod);
  if (!match) throw new Error(`gotools/${dir}/go.mod does not require ${module}`);
  return match[1];
}

/**
 * The tools in build order (the control plane first: it is what the tests need most), each built in its wrapper
 * module (`dir`, default its name). `commands` maps an
 * output file name to the package whose main it builds; `ldflags` stamps the version a command reports where its own
 * build (Makefile, goreleaser) would have.
 */
export function toolModules() {
  const k8s = requiredVersion("kubernetes", "k8s.io/kubernetes");
  const [, k8sMajor, k8sMinor] = /^v(\d+)\.(\d+)/.exec(k8s) ?? [];
  // helm is built inside the kubernetes wrapper module (its go.mod requires both): minimal version selection gives it
  // the k8s.io modules the control plane already compiles, so a cold build compiles them once, not twice.
  const helm = requiredVersion("kubernetes", "helm.sh/helm/v4");
  return [
    {
      name: "etcd",
      module: "go.etcd.io/etcd/server/v3",
      version: requiredVersion("etcd", "go.etcd.io/etcd/server/v3"),
      commands: { etcd: "go.etcd.io/etcd/server/v3" },
      ldflags: [],
    },
    {
      name: "kubernetes",
      module: "k8s.io/kubernetes",
      version: k8s,
      commands: {
        "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
        "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
        "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
      },
      ldflags: [
        `-X k8s.io/component-base/version.gitVersion=${k8s}`,
        `-X k8s.io/component-base/version.gitMajor=${k8sMajor}`,
        `-X k8s.io/component-base/version.gitMinor=${k8sMinor}`,
      ],
    },
    {
      name: "kwok",
      module: "sigs.k8s.io/kwok",
      version: requiredVersion("kwok", "sigs.k8s.io/kwok"),
      commands: { kwok: "sigs.k8s.io/kwok/cmd/kwok" },
      ldflags: [],
      // Standalone kwok simulates nothing without Stage objects (kwokctl passes its defaults): these are kwok's own
      // defaults — node init and lease heartbeat, the "fast" pod stages — copied from the module at build time.
      files: {
        "kwok-stages.yaml": [
          "kustomize/stage/node/fast/node-initialize.yaml",
          "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
          "kustomize/stage/pod/fast/pod-ready.yaml",
          "kustomize/stage/pod/fast/pod-complete.yaml",
          "kustomize/stage/pod/fast/pod-delete.yaml",
        ],
      },
    },
    {
      name: "helm",
      dir: "kubernetes",
      module: "helm.sh/helm/v4",
      version: helm,
      commands: { helm: "helm.sh/helm/v4/cmd/helm" },
      // What helm's own Makefile stamps: its version, and the Kubernetes minor of its client-go as the default
      // `.Capabilities.KubeVersion` (Wharf passes the target's own with --kube-version).
      ldflags: [
        `-X helm.sh/helm/v4/internal/version.version=${helm}`,
        ...["pkg/chart/common", "pkg/chart/v2/lint/rules", "pkg/internal/v3/lint/rules"].flatMap((pkg) => [
          `-X helm.sh/helm/v4/${pkg}.k8sVersionMajor=${k8sMajor}`,
          `-X helm.sh/helm/v4/${pkg}.k8sVersionMinor=${k8sMinor}`,
        ]),
        `-X helm.sh/helm/v4/internal/version.kubeClientVersionMajor=${k8sMajor}`,
        `-X helm.sh/helm/v4/internal/version.kubeClientVersionMinor=${k8sMinor}`,
      ],
    },
    {
      name: "kustomize",
      module: "sigs.k8s.io/kustomize/kustomize/v5",
      version: requiredVersion("kustomize", "sigs.k8s.io/kustomize/kustomize/v5"),
      commands: { kustomize: "sigs.k8s.io/kustomize/kustomize/v5" },
      ldflags: [],
    },
  ];
}

/** The wrapper module a tool builds in: its own folder, or another tool's (`dir`) whose go.mod requires it too. */
export function toolDir(tool) {
  return tool.dir ?? tool.name;
}

/** ~/.cache/wharf/cluster, or WHARF_CLUSTER_CACHE: outside the repository, so clones and worktrees share one build. */
export function cacheRoot() {
  if (process.env.WHARF_CLUSTER_CACHE) return path.resolve(process.env.WHARF_CLUSTER_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "wharf", "cluster");
}

/**
 * A module's cache directory: <root>/<name>-<hash of its go.mod, go.sum, version and build flags>. Any change to
 * what would be built gives a new directory, so a stale binary is never picked up and an unchanged one is never rebuilt.
 */
export function moduleDir(tool) {
  const hash = createHash("sha256");
  hash.update(
    `${RECIPE}\0${tool.name}\0${tool.version}\0${JSON.stringify(tool.commands)}\0${tool.ldflags.join(" ")}\0`,
  );
  if (tool.files) hash.update(`${JSON.stringify(tool.files)}\0`);
  for (const file of ["go.mod", "go.sum"]) hash.update(readFileSync(path.join(GOTOOLS_DIR, toolDir(tool), file)));
  return path.join(cacheRoot(), `${tool.name}-${hash.digest("hex").slice(0, 16)}`);
}

/** A build finished when its directory has this marker; a half-written directory is never used. */
export const COMPLETE_MARKER = ".complete";

/**
 * Paths of every built command (`{ etcd, "kube-apiserver", …, helm, kustomize }`) and file (`"kwok-stages.yaml"`), and
 * the modules not built yet.
 * Only looks; never builds (that is `npm run cluster:build`).
 */
export function findToolBinaries() {
  const paths = {};
  const missing = [];
  for (const tool of toolModules()) {
    const dir = moduleDir(tool);
    if (!existsSync(path.join(dir, COMPLETE_MARKER))) {
      missing.push(tool.name);
      continue;
    }
    for (const name of [...Object.keys(tool.commands), ...Object.keys(tool.files ?? {})])
      paths[name] = path.join(dir, name);
  }
  return { paths, missing };
}

/**
 * The go command's environment: explicit and minimal (never the caller's whole environment, which may hold Wharf's
 * secrets), plus the Go and proxy settings a developer may have set on purpose.
 */
export function goEnv() {
  const env = {
    PATH: process.env.PATH ?? "/usr/local/go/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    // Every wrapper module builds with the machine's Go; none needs the newer approved toolchain (see README).
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
    GOFLAGS: "-mod=readonly -buildvcs=false",
  };
  for (const name of [
    "TMPDIR",
    "GOPATH",
    "GOCACHE",
    "GOMODCACHE",
    "GOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GOPRIVATE",
    "GOINSECURE",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
  ]) {
    if (process.env[name]) env[name] = process.env[name];
  }
  return env;
}
