import { describe, expect, it } from "vitest";
import {
  changedSettings,
  changesRevision,
  draftOf,
  EMPTY_DRAFT,
  errorsByInput,
  settingsOf,
} from "@/components/applications/application-draft";
import type { ApplicationView } from "@/lib/applications/schemas";

const helmDraft = {
  ...EMPTY_DRAFT,
  repoUrl: " https://git.example.com/shop.git ",
  path: "charts/web",
  renderKind: "helm" as const,
  releaseName: "web",
  valuesFiles: "values-prod.yaml\n\n  values-eu.yaml ",
  values: "replicas: 2\nimage:\n  tag: '1.4'\n",
  repositories: "bitnami  https://charts.bitnami.com/bitnami",
};

function view(over: Partial<ApplicationView> = {}): ApplicationView {
  return {
    id: "a1",
    name: "web",
    target: { id: "t1", name: "shop-prod", environment: "prod", mode: "push" },
    mode: "push",
    source: { kind: "git", repoUrl: "https://git.example.com/shop.git", ref: "main", path: "charts/web" },
    renderOptions: { kind: "helm", helm: { releaseName: "web", valuesFiles: [], values: { replicas: 2 } } },
    prune: true,
    selfHeal: true,
    driftInterval: null,
    inventoryKey: "a1",
    pullRepoId: null,
    archived: null,
    lastDeployment: null,
    lastSync: null,
    createdAt: "2026-12-06T00:00:00.000Z",
    updatedAt: "2026-12-06T00:00:00.000Z",
    ...over,
  };
}

describe("the application form's draft", () => {
  it("becomes the API's body: trimmed Git source, Helm options with parsed values, one values file per line", () => {
    const out = settingsOf(helmDraft, "push");
    expect(out).toEqual({
      ok: true,
      settings: {
        source: { kind: "git", repoUrl: "https://git.example.com/shop.git", ref: "main", path: "charts/web" },
        renderOptions: {
          kind: "helm",
          helm: {
            releaseName: "web",
            valuesFiles: ["values-prod.yaml", "values-eu.yaml"],
            values: { replicas: 2, image: { tag: "1.4" } },
            repositories: [{ name: "bitnami", url: "https://charts.bitnami.com/bitnami" }],
          },
        },
        prune: true,
        selfHeal: true,
        driftInterval: null,
      },
    });
  });

  it("takes JSON values too, and says where YAML breaks or why a list is not values", () => {
    const json = settingsOf({ ...helmDraft, values: '{"a": {"b": [1, 2]}}' }, "push");
    expect(json.ok && json.settings.renderOptions.helm?.values).toEqual({ a: { b: [1, 2] } });
    const broken = settingsOf({ ...helmDraft, values: "a: 1\nb: [2" }, "push");
    expect(broken.ok ? null : broken.fields["renderOptions.helm.values"]?.[0]).toMatch(
      /^The values are not valid YAML or JSON: .*line 2/,
    );
    const list = settingsOf({ ...helmDraft, values: "- a\n- b" }, "push");
    expect(list.ok ? null : list.fields["renderOptions.helm.values"]).toEqual([
      "Write the values as a mapping (key: value), as in a values.yaml file.",
    ]);
  });

  it("sends Helm options with auto only when some are given; a pull target gets Git, self-heal and its interval", () => {
    expect(settingsOf({ ...EMPTY_DRAFT, repoUrl: "https://x/y.git" }, "push")).toMatchObject({
      ok: true,
      settings: { renderOptions: { kind: "auto" } },
    });
    const pull = settingsOf(
      { ...EMPTY_DRAFT, sourceKind: "manifests", repoUrl: "https://x/y.git", selfHeal: false, driftInterval: "120" },
      "pull",
    );
    expect(pull).toMatchObject({
      ok: true,
      settings: { source: { kind: "git" }, selfHeal: false, driftInterval: 120 },
    });
    // Push keeps the defaults for pull-only options, whatever the inputs held.
    expect(settingsOf({ ...EMPTY_DRAFT, selfHeal: false, driftInterval: "120" }, "push")).toMatchObject({
      settings: { selfHeal: true, driftInterval: null },
    });
  });

  it("a PATCH carries only what changed, and says whether it is a new revision", () => {
    const app = view();
    const same = settingsOf(draftOf(app), "push");
    expect(same.ok && changedSettings(app, same.settings)).toEqual({});
    const pruneOnly = settingsOf({ ...draftOf(app), prune: false }, "push");
    const prunePatch = pruneOnly.ok ? changedSettings(app, pruneOnly.settings) : null;
    expect(prunePatch).toEqual({ prune: false });
    expect(changesRevision(prunePatch!)).toBe(false);
    const values = settingsOf({ ...draftOf(app), values: "replicas: 3" }, "push");
    const valuesPatch = values.ok ? changedSettings(app, values.settings) : null;
    expect(valuesPatch).toEqual({
      renderOptions: { kind: "helm", helm: { releaseName: "web", valuesFiles: [], values: { replicas: 3 } } },
    });
    expect(changesRevision(valuesPatch!)).toBe(true);
  });

  it("puts the API's field errors at their inputs and lists the rest", () => {
    expect(
      errorsByInput({
        name: ["Already used on this target."],
        "source.repoUrl": ["Use an https:// URL."],
        url: ["Already registered with this branch and path."],
        "renderOptions.helm.valuesFiles.0": ["Too long."],
        "renderOptions.helm.releaseName": ["Use a DNS label."],
        "renderOptions.helm.repositories.0.url": ["No credentials."],
        something: ["Unexpected."],
      }),
    ).toEqual({
      byInput: {
        name: ["Already used on this target."],
        repoUrl: ["Use an https:// URL.", "Already registered with this branch and path."],
        valuesFiles: ["Too long."],
        releaseName: ["Use a DNS label."],
        repositories: ["No credentials."],
      },
      other: ["Unexpected."],
    });
  });
});
