import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultReleaseName, detectKind, RenderError, renderSource } from "@/lib/render";
import { splitHelmOutput } from "@/lib/render/helm";
import { checkKustomizationReferences } from "@/lib/render/kustomize";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A repository's files written to a temporary directory (what lib/render/git-tree.ts does with a commit). */
function tree(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "wharf-render-unit-")));
  dirs.push(dir);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

async function renderError(promise: Promise<unknown>): Promise<RenderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RenderError)) throw new Error(`expected a RenderError, got ${String(err)}`);
  return err;
}

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata: { a: "1" }\n`;

describe("detectKind", () => {
  it("Chart.yaml is a chart, a kustomization file a kustomization, anything else plain files", () => {
    expect(detectKind(["Chart.yaml", "values.yaml", "kustomization.yaml"])).toBe("helm");
    expect(detectKind(["kustomization.yaml", "a.yaml"])).toBe("kustomize");
    expect(detectKind(["kustomization.yml"])).toBe("kustomize");
    expect(detectKind(["Kustomization"])).toBe("kustomize");
    expect(detectKind(["a.yaml", "chart.yaml"])).toBe("plain");
  });
});

describe("renderSource: plain YAML/JSON", () => {
  it("reads YAML and JSON below the path, sorted, skipping hidden folders, other files and symlinks", async () => {
    const dir = tree({
      "deploy/b.yaml": cm("b"),
      "deploy/nested/a.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }),
      "deploy/.github/workflow.yaml": "on: push\n",
      "deploy/README.md": "# docs",
      "secret.yaml": cm("outside"),
    });
    fs.symlinkSync(path.join(dir, "secret.yaml"), path.join(dir, "deploy/link.yaml"));
    const out = await renderSource({ dir, path: "deploy" });
    expect(out.kind).toBe("plain");
    expect(out.files.map((f) => f.path)).toEqual(["deploy/b.yaml", "deploy/nested/a.json"]);
    expect(out.manifests.map((m) => m.object.metadata.name)).toEqual(["b", "a"]);
    // A single file, too.
    expect((await renderSource({ dir, path: "deploy/b.yaml" })).files.map((f) => f.path)).toEqual(["deploy/b.yaml"]);
  });

  it("names the file and line of a problem, and never prints [object Object]", async () => {
    const dir = tree({
      "deploy/ok.yaml": cm("ok"),
      // An unrendered template: `{{ .Values.team }}` parses as a mapping.
      "deploy/web.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  labels:\n    team: {{ .Values.team }}\n",
      "deploy/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
    });
    const err = await renderError(renderSource({ dir, path: "deploy" }));
    expect(err.code).toBe("MANIFESTS_INVALID");
    expect(err.message).not.toContain("[object Object]");
    expect(err.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: "deploy/web.yaml",
          line: 6,
          message: expect.stringMatching(/metadata\.labels\.team must be a string, not a mapping/),
        }),
        expect.objectContaining({
          file: "deploy/broken.yaml",
          line: expect.any(Number),
          message: expect.stringMatching(/^invalid YAML/),
        }),
      ]),
    );
    expect(err.message).toMatch(
      /deploy\/web\.yaml: document 1, line 6, column \d+: metadata\.labels\.team must be a string/,
    );
  });

  it("says what is missing: no path, no manifests", async () => {
    const dir = tree({ "docs/README.md": "# docs" });
    expect((await renderError(renderSource({ dir, path: "nowhere" }))).message).toBe(
      'The repository has no file or directory "nowhere".',
    );
    expect((await renderError(renderSource({ dir, path: "docs" }))).code).toBe("SOURCE_EMPTY");
  });
});

describe("kustomize references", () => {
  it("allows bases elsewhere in the repository and refuses paths outside it and remote bases, with file and line", () => {
    const dir = tree({
      "base/kustomization.yaml": "resources:\n  - cm.yaml\n",
      "base/cm.yaml": cm("settings"),
      "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\nnamePrefix: prod-\n",
      "overlays/escape/kustomization.yaml": "namePrefix: x-\nresources:\n  - ../../base\n  - ../../../etc\n",
      "overlays/remote/kustomization.yaml":
        "resources:\n  - https://github.com/example/app//deploy?ref=v1\n  - github.com/example/app/deploy\n",
    });
    expect(() => checkKustomizationReferences(dir, path.join(dir, "overlays/prod"))).not.toThrow();
    let err = captured(() => checkKustomizationReferences(dir, path.join(dir, "overlays/escape")));
    expect(err.code).toBe("SOURCE_INVALID");
    expect(err.message).toBe(
      'overlays/escape/kustomization.yaml, line 4: resources entry "../../../etc" is outside the repository',
    );
    err = captured(() => checkKustomizationReferences(dir, path.join(dir, "overlays/remote")));
    expect(err.problems.map((p) => [p.file, p.line])).toEqual([
      ["overlays/remote/kustomization.yaml", 2],
      ["overlays/remote/kustomization.yaml", 3],
    ]);
    expect(err.message).toMatch(/remote base, which Wharf does not fetch/);
  });
});

function captured(fn: () => void): RenderError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RenderError) return err;
    throw err;
  }
  throw new Error("expected a RenderError");
}

describe("missing binaries", () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it("name the binary, what needs it, and how to install it", async () => {
    const dir = tree({
      "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
      "chart/templates/cm.yaml": cm("web"),
      "app/kustomization.yaml": "resources:\n  - cm.yaml\n",
      "app/cm.yaml": cm("app"),
    });
    // Only git's directory: neither helm, kustomize nor kubectl.
    process.env.PATH = tree({ "git-only/.keep": "" });
    const helm = await renderError(
      renderSource({ dir, path: "chart", helm: { releaseName: "web", namespace: "shop" } }),
    );
    expect(helm.code).toBe("RENDER_TOOL_MISSING");
    expect(helm.message).toMatch(
      /^chart\/Chart\.yaml needs helm to render it, and helm is not installed here \(not found on PATH\)/,
    );
    expect(helm.message).toContain("npm run cluster:build -- --only helm");
    const kustomize = await renderError(renderSource({ dir, path: "app" }));
    expect(kustomize.code).toBe("RENDER_TOOL_MISSING");
    expect(kustomize.message).toMatch(/^app\/kustomization\.yaml needs kustomize/);
    expect(kustomize.message).toContain("npm run cluster:build -- --only kustomize");
    // An explicit path that is not there is named.
    const given = await renderError(
      renderSource({
        dir,
        path: "chart",
        helm: { releaseName: "web", namespace: "shop" },
        tools: { helm: "/opt/none/helm" },
      }),
    );
    expect(given.message).toContain("not found at /opt/none/helm");
  });
});

describe("helm output and release names", () => {
  it("splits helm template output into the chart's templates as repository paths", () => {
    const out = [
      "---",
      "# Source: web/templates/service.yaml",
      "apiVersion: v1",
      "kind: Service",
      "---",
      "# Source: web/charts/redis/templates/cm.yaml",
      "kind: ConfigMap",
      "---",
      "# Source: web/templates/service.yaml",
      "kind: Service",
      "",
    ].join("\n");
    expect(splitHelmOutput(out, "charts/web", "web")).toEqual([
      {
        path: "charts/web/templates/service.yaml",
        content:
          "# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\n---\n# Source: web/templates/service.yaml\nkind: Service\n",
      },
      {
        path: "charts/web/charts/redis/templates/cm.yaml",
        content: "# Source: web/charts/redis/templates/cm.yaml\nkind: ConfigMap\n",
      },
    ]);
  });

  it("derives a valid release name from the path or the repository", () => {
    expect(defaultReleaseName("charts/Web_App", "https://git.example.com/a.git")).toBe("web-app");
    expect(defaultReleaseName(".", "https://git.example.com/team/My.Shop.git")).toBe("my-shop");
    expect(defaultReleaseName("", "git@example.com:team/api.git")).toBe("api");
    expect(defaultReleaseName("x".repeat(80), "u")).toHaveLength(53);
  });
});
