// deploy/agent/Dockerfile and deploy/dashboard/Dockerfile compile helm and kustomize from gotools/ in a golang stage.
// No docker engine runs here, so this reads them: the stage runs npm run cluster:build's recipe for exactly those
// tools, its Go is new enough for that script and for every wrapper module it builds in, and the runtime stage
// carries both binaries on PATH. A Go bump in gotools/ or a renamed tool then fails here, not in someone's image build.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GOTOOLS_DIR, toolDir, toolModules } from "../../../gotools/binaries.mjs";

const root = path.resolve(import.meta.dirname, "../../..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

/** `[major, minor]` of a Go version text (`1.26`, `1.26.0`). */
function goVersion(text: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(text);
  if (!m) throw new Error(`not a Go version: ${text}`);
  return [Number(m[1]), Number(m[2])];
}
const atLeast = (a: [number, number], b: [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);

interface Stage {
  from: string;
  name: string | undefined;
  lines: string[];
}

/** The Dockerfile's stages, instructions joined across `\` continuations, comments dropped. */
function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  const joined = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  for (const line of joined) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2], lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const RENDER_TOOLS = ["helm", "kustomize"];

describe.each(["deploy/agent/Dockerfile", "deploy/dashboard/Dockerfile"])("%s", (file) => {
  const all = stages(read(file));
  const tools = all.find((s) => s.name === "tools");

  it("builds helm and kustomize with cluster:build's recipe in a golang stage new enough for it", () => {
    expect(tools?.from).toMatch(/^golang:\d+\.\d+/);
    const imageGo = goVersion(tools!.from.replace(/^golang:/, ""));
    const minGo = /const MIN_GO = \[(\d+), (\d+)\]/.exec(read("gotools/build.mjs"));
    expect(atLeast(imageGo, [Number(minGo![1]), Number(minGo![2])])).toBe(true);
    const build = tools!.lines.find((l) => l.startsWith("RUN node gotools/build.mjs"));
    expect(build).toContain(`--only ${RENDER_TOOLS.join(",")}`);
    const modules = toolModules().filter((t) => RENDER_TOOLS.includes(t.name));
    expect(modules.map((t) => t.name).sort()).toEqual(RENDER_TOOLS);
    for (const tool of modules) {
      const goMod = fs.readFileSync(path.join(GOTOOLS_DIR, toolDir(tool), "go.mod"), "utf8");
      const directive = /^go (\S+)/m.exec(goMod)![1]!;
      expect(atLeast(imageGo, goVersion(directive)), `${toolDir(tool)}/go.mod asks for go ${directive}`).toBe(true);
      expect(build).toContain(`/cache/${tool.name}-*/${Object.keys(tool.commands)[0]}`);
    }
    // The wrapper modules come in whole (go.mod and go.sum with the script), nothing from the host's cache.
    expect(tools!.lines).toContain("COPY gotools ./gotools");
  });

  it("puts both binaries on the runtime image's PATH", () => {
    const runtime = all.at(-1)!;
    expect(runtime.name).toBeUndefined();
    expect(runtime.lines).toContain("COPY --from=tools /tools/helm /tools/kustomize /usr/local/bin/");
  });
});

it("keeps the checkout's secrets and build output out of the image build context", () => {
  const ignored = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  expect(ignored).toEqual(expect.arrayContaining(["data", ".env", ".env.*", "node_modules", ".next", ".git"]));
});
