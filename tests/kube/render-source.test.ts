import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RenderError, renderSource } from "@/lib/render";
import { bigChart, HELM_BROKEN, HELM_CHART, KUSTOMIZE_OVERLAY } from "@/tests/support/render-fixtures";

// lib/render with the helm and kustomize `npm run cluster:build` builds (tests/vitest.config.ts puts them on PATH).

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-render-"));
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

describe("renderSource with kustomize and helm", () => {
  it("renders a kustomize overlay whose base is elsewhere in the repository", async () => {
    const dir = tree(KUSTOMIZE_OVERLAY);
    const out = await renderSource({ dir, path: "overlays/prod" });
    expect(out.kind).toBe("kustomize");
    expect(out.files.map((f) => f.path)).toEqual(["overlays/prod/kustomization.yaml (rendered)"]);
    expect(out.manifests.map((m) => m.object)).toEqual([
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "prod-settings", labels: { env: "prod" } },
        data: { mode: "base" },
      },
    ]);
  });

  it("refuses a base outside the repository before kustomize runs, and reports kustomize's own errors", async () => {
    const dir = tree({
      ...KUSTOMIZE_OVERLAY,
      "overlays/out/kustomization.yaml": "resources:\n  - ../../base\n  - ../../../../etc\n",
      "overlays/missing-file/kustomization.yaml": "resources:\n  - ../../base\npatches:\n  - path: nowhere.yaml\n",
    });
    const out = await renderError(renderSource({ dir, path: "overlays/out" }));
    expect(out.code).toBe("SOURCE_INVALID");
    expect(out.message).toBe(
      'overlays/out/kustomization.yaml, line 3: resources entry "../../../../etc" is outside the repository',
    );
    const failed = await renderError(renderSource({ dir, path: "overlays/missing-file" }));
    expect(failed.code).toBe("RENDER_FAILED");
    expect(failed.message).toMatch(
      /^kustomize could not render overlays\/missing-file\/kustomization\.yaml: .*nowhere\.yaml/,
    );
    expect(failed.message).not.toContain(dir);
  });

  it("renders a Helm chart with its release name and namespace, a values file, inline values and the target's versions", async () => {
    const dir = tree(HELM_CHART);
    const out = await renderSource({
      dir,
      path: "charts/web",
      helm: {
        releaseName: "shop",
        namespace: "shop-prod",
        valuesFiles: ["values-prod.yaml"],
        values: { color: "green" },
        kubeVersion: "v1.31.2",
        apiVersions: ["monitoring.coreos.com/v1"],
      },
    });
    expect(out.kind).toBe("helm");
    // One file per template, named as the repository's path; test hooks and NOTES.txt left out.
    expect(out.files.map((f) => f.path)).toEqual(["charts/web/templates/config.yaml"]);
    expect(out.manifests.map((m) => m.object)).toEqual([
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "shop-config", namespace: "shop-prod", labels: { "app.kubernetes.io/instance": "shop" } },
        data: { greeting: "hello from prod", color: "green", kubeVersion: "v1.31.2", monitoring: "true" },
      },
    ]);
  });

  it("names the template file and line of a Helm error, a missing values file, and an unvendored dependency", async () => {
    const dir = tree({
      ...HELM_BROKEN,
      ...HELM_CHART,
      "deps/Chart.yaml":
        "apiVersion: v2\nname: deps\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.com\n",
    });
    const helm = { releaseName: "x", namespace: "default" };
    const broken = await renderError(renderSource({ dir, path: "broken", helm }));
    expect(broken.code).toBe("RENDER_FAILED");
    expect(broken.message).toMatch(/^helm could not render broken\/Chart\.yaml: .*broken\/templates\/broken\.yaml:3/);
    expect(broken.problems[0]).toMatchObject({ file: "broken/templates/broken.yaml", line: 3 });
    expect(broken.message).not.toContain(dir);
    expect(broken.message).not.toContain("[object Object]");

    const values = await renderError(
      renderSource({ dir, path: "charts/web", helm: { ...helm, valuesFiles: ["values-staging.yaml"] } }),
    );
    expect(values.message).toBe("The values file charts/web/values-staging.yaml does not exist in the repository.");
    const outside = await renderError(
      renderSource({ dir, path: "charts/web", helm: { ...helm, valuesFiles: ["../../../etc/passwd"] } }),
    );
    expect(outside.message).toBe('The values file "../../../etc/passwd" is outside the repository.');

    const deps = await renderError(renderSource({ dir, path: "deps", helm }));
    expect(deps.message).toMatch(
      /^deps\/Chart\.yaml: the dependency redis \(https:\/\/charts\.example\.com\) is not in the chart's charts\/ folder/,
    );
  });

  it("renders a chart with a vendored dependency without fetching anything", async () => {
    const dir = tree({
      "app/Chart.yaml":
        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n    repository: https://charts.example.com\n",
      "app/charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
      "app/charts/sub/templates/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-sub\n",
    });
    const out = await renderSource({ dir, path: "app", helm: { releaseName: "r", namespace: "default" } });
    expect(out.files.map((f) => f.path)).toEqual(["app/charts/sub/templates/cm.yaml"]);
    expect(out.manifests.map((m) => m.object.metadata.name)).toEqual(["r-sub"]);
  });

  it("renders and parses a source of more than 10 MB", { timeout: 240_000 }, async () => {
    const dir = tree(bigChart());
    const out = await renderSource({ dir, path: "big", helm: { releaseName: "big", namespace: "default" } });
    const bytes = out.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
    expect(bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(out.manifests).toHaveLength(1050);
  });
});
