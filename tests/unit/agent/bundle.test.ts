// deploy/agent/Dockerfile runs the agent as `node main.mjs` with no node_modules next to it. No docker engine runs
// here, so this builds the bundle the way the image does and runs it the way the image does: alone in a directory.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { isBuiltin } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

/**
 * Packages the bundle may leave unresolved: ws requires these optional native accelerators inside try/catch and
 * falls back to its own JavaScript when they are missing (they are not installed here either).
 */
const OPTIONAL_EXTERNALS = new Set(["bufferutil", "utf-8-validate"]);

interface Metafile {
  outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
}

let dir: string;
let bundle: string;
let metafile: Metafile;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-agent-bundle-"));
  const build = path.join(dir, "build");
  await promisify(execFile)(
    process.execPath,
    ["deploy/agent/build.mjs", "--outfile", path.join(build, "main.mjs"), "--metafile", path.join(build, "meta.json")],
    { cwd: root },
  );
  metafile = JSON.parse(fs.readFileSync(path.join(build, "meta.json"), "utf8")) as Metafile;
  // Only the bundle, as the runtime stage copies it: a stray import of a package would fail to resolve here.
  const app = path.join(dir, "app");
  fs.mkdirSync(app);
  bundle = path.join(app, "main.mjs");
  fs.copyFileSync(path.join(build, "main.mjs"), bundle);
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function run(
  env: Record<string, string>,
  until?: RegExp,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only the variables given: nothing from this shell (KUBECONFIG, WHARF_*) may make the agent work by accident.
    const childEnv = { PATH: process.env.PATH, HOME: dir, ...env } as unknown as NodeJS.ProcessEnv;
    const child = spawn(process.execPath, [bundle], {
      cwd: path.dirname(bundle),
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      // Stops the agent the way Kubernetes does once it has shown it got this far.
      if (until?.test(stdout)) child.kill("SIGTERM");
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("agent bundle", () => {
  it("imports nothing but Node built-ins (and ws's optional accelerators)", () => {
    const outputs = Object.entries(metafile.outputs);
    expect(outputs.map(([file]) => path.basename(file))).toEqual(["main.mjs"]);
    const externals = new Set(outputs[0]![1].imports.filter((i) => i.external).map((i) => i.path));
    // Bundled CommonJS code does require Node built-ins at run time, so the list is not empty.
    expect(externals.has("node:fs")).toBe(true);
    const foreign = [...externals].filter(
      (spec) => !spec.startsWith("node:") && !isBuiltin(spec) && !OPTIONAL_EXTERNALS.has(spec),
    );
    expect(foreign).toEqual([]);
  });

  it("starts alone and reports a configuration error by the variable's name", async () => {
    const result = await run({});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid agent configuration: WHARF_URL/);
    // A child Node process: its start took over the unit project's 5 s default on a loaded machine (load 12).
  }, 30_000);

  describe("with a Wharf that answers enrolment", () => {
    let server: http.Server;
    let url: string;
    const requests: { method?: string; url?: string; body: string }[] = [];

    beforeAll(async () => {
      server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
          requests.push({ method: req.method, url: req.url, body });
          if (req.method === "POST" && req.url === "/api/agent/v1/enrol") {
            res
              .writeHead(200, { "content-type": "application/json" })
              .end(JSON.stringify({ agentId: "agent-1", agentName: "bundle-test", credential: "wharfa_bundle-test" }));
          } else {
            // Everything after enrolment: Wharf "down", so the agent backs off until it is stopped.
            res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: "unavailable" }));
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("enrols, stores its credential and stops cleanly on SIGTERM", async () => {
      const stateDir = path.join(dir, "state");
      const kubeconfig = path.join(dir, "kubeconfig");
      // Never contacted before the first assignment; it only has to load.
      fs.writeFileSync(
        kubeconfig,
        [
          "apiVersion: v1",
          "kind: Config",
          "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]",
          "users: [{name: u, user: {token: t}}]",
          "contexts: [{name: x, context: {cluster: c, user: u}}]",
          "current-context: x",
        ].join("\n"),
      );
      const result = await run(
        {
          WHARF_URL: url,
          WHARF_ENROLMENT_TOKEN: "wharfe_bundle-test",
          WHARF_AGENT_STATE_DIR: stateDir,
          KUBECONFIG: kubeconfig,
        },
        /enrolled as agent bundle-test \(agent-1\)/,
      );
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/wharf agent started/);
      expect(result.stdout).toMatch(/SIGTERM: stopping/);
      expect(result.code).toBe(0);
      const enrol = requests.find((r) => r.url === "/api/agent/v1/enrol");
      expect(JSON.parse(enrol?.body ?? "{}")).toMatchObject({ enrolmentToken: "wharfe_bundle-test" });
      expect(fs.readFileSync(path.join(stateDir, "credential"), "utf8").trim()).toBe("wharfa_bundle-test");
    }, 60_000);
  });
});
