import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSubjectAccessReview } from "@/lib/kube";
import { testClusterKind } from "../support/cluster";
import { eventually } from "./agent-support";
import { clientFor, startKube, uniqueName } from "./lib-support";

// startRealCluster() itself (lib/kube/real-cluster), on the real leg only: the sandbox leg has its own tests.
const real = testClusterKind() === "real";
let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube();
});
afterAll(async () => {
  await kube?.stop();
});

/** Pids of the processes whose command line mentions `text` (a control plane's data dir). */
function processesMentioning(text: string): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.runIf(real)("startRealCluster", () => {
  it("is a real API server whose TokenRequest tokens authenticate as their ServiceAccount, under RBAC", async () => {
    const version = await kube.client.get({ apiVersion: "v1", kind: "Namespace", name: "kube-system" });
    expect(version?.metadata.uid).toBeTruthy();
    const ns = uniqueName("rc");
    const token = await kube.cluster.mintToken({ serviceAccount: { namespace: ns, name: "probe" } });
    const probe = clientFor(kube.cluster, token);
    try {
      // No RoleBinding yet: authenticated (a 200 review), but not allowed.
      expect(
        await selfSubjectAccessReview(probe, { verb: "list", resource: "configmaps", namespace: ns }),
      ).toMatchObject({ allowed: false });
    } finally {
      await probe.close();
    }
    await expect(kube.cluster.mintToken({ user: "someone" })).rejects.toThrow(/ServiceAccount tokens only/);
    await expect(
      kube.cluster.mintToken({ serviceAccount: { namespace: ns, name: "probe" }, expirationSeconds: 60 }),
    ).rejects.toThrow(/600/);
  });

  it("dies with the process that started it, even one killed with SIGKILL", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/real-cluster-child.ts"], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" } as unknown as NodeJS.ProcessEnv,
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const dataDir = await eventually(() => /^ready (.+)$/m.exec(out)?.[1], "the child's control plane", 90_000);
    expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(5);
    child.kill("SIGKILL");
    await eventually(
      () => (processesMentioning(dataDir).length === 0 ? true : undefined),
      "every component to exit",
      20_000,
    );
    await eventually(() => (existsSync(dataDir) ? undefined : true), "the data dir to be removed", 10_000);
  });
});
