import { parse as parseYaml } from "yaml";
import type {
  ApplicationView,
  RENDER_KINDS,
  TApplicationSource,
  TCreateApplicationInput,
  TUpdateApplicationInput,
} from "@/lib/applications/schemas";
import type { FieldErrors } from "@/lib/errors";

/**
 * What the application forms edit, as text the inputs hold: the source, its render options and the sync options.
 * Turned into the API's body by `settingsOf`, which parses the inline Helm values in the browser so a YAML mistake
 * is shown with its line before anything is sent.
 */
export interface ApplicationDraft {
  sourceKind: TApplicationSource["kind"];
  repoUrl: string;
  ref: string;
  path: string;
  renderKind: (typeof RENDER_KINDS)[number];
  releaseName: string;
  /** One values file per line, relative to the chart. */
  valuesFiles: string;
  /** YAML or JSON (YAML's superset): a mapping, applied after the values files. */
  values: string;
  /** Chart repositories dependencies may come from, one `name url` per line. */
  repositories: string;
  prune: boolean;
  selfHeal: boolean;
  /** Seconds as typed; blank is the agent's default. */
  driftInterval: string;
}

export const EMPTY_DRAFT: ApplicationDraft = {
  sourceKind: "git",
  repoUrl: "",
  ref: "main",
  path: ".",
  renderKind: "auto",
  releaseName: "",
  valuesFiles: "",
  values: "",
  repositories: "",
  prune: true,
  selfHeal: true,
  driftInterval: "",
};

/** The form's starting point for an existing application: its settings as the inputs show them. */
export function draftOf(app: ApplicationView): ApplicationDraft {
  const helm = app.renderOptions.helm;
  const values = helm?.values ?? {};
  return {
    sourceKind: app.source.kind,
    repoUrl: app.source.repoUrl ?? "",
    ref: app.source.ref ?? "main",
    path: app.source.path ?? ".",
    renderKind: app.renderOptions.kind,
    releaseName: helm?.releaseName ?? "",
    valuesFiles: (helm?.valuesFiles ?? []).join("\n"),
    // JSON is YAML too, and keeps nested values exactly as stored.
    values: Object.keys(values).length ? JSON.stringify(values, null, 2) : "",
    repositories: (helm?.repositories ?? []).map((r) => `${r.name} ${r.url}`).join("\n"),
    prune: app.prune,
    selfHeal: app.selfHeal,
    driftInterval: app.driftInterval === null ? "" : String(app.driftInterval),
  };
}

type Settings = Required<Pick<TCreateApplicationInput, "source" | "renderOptions" | "prune" | "selfHeal">> & {
  driftInterval: number | null;
};

/** The non-blank lines of a textarea, trimmed. */
const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** The inline values as an object, or the reason they are not one (with YAML's line and column). */
function parseValues(text: string): { ok: true; values: Record<string, unknown> } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, values: {} };
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    return { ok: false, error: `The values are not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}` };
  }
  if (parsed === null || parsed === undefined) return { ok: true, values: {} };
  if (typeof parsed !== "object" || Array.isArray(parsed))
    return { ok: false, error: "Write the values as a mapping (key: value), as in a values.yaml file." };
  return { ok: true, values: parsed as Record<string, unknown> };
}

/**
 * The draft's settings as the API takes them, or field errors keyed like the API's (`renderOptions.helm.values`).
 * A pull target's application is always Git; self-heal and the drift interval are sent for pull only.
 */
export function settingsOf(
  draft: ApplicationDraft,
  mode: "push" | "pull" | undefined,
): { ok: true; settings: Settings } | { ok: false; fields: FieldErrors } {
  const source: TApplicationSource =
    draft.sourceKind === "manifests" && mode !== "pull"
      ? { kind: "manifests" }
      : { kind: "git", repoUrl: draft.repoUrl.trim(), ref: draft.ref.trim(), path: draft.path.trim() || "." };
  let renderOptions: Settings["renderOptions"] = { kind: draft.renderKind };
  // Auto renders a folder with a Chart.yaml with Helm too, so it keeps Helm options when any is given.
  const helmGiven = [draft.releaseName, draft.valuesFiles, draft.values, draft.repositories].some((v) => v.trim());
  if (draft.renderKind === "helm" || (draft.renderKind === "auto" && helmGiven)) {
    const values = parseValues(draft.values);
    if (!values.ok) return { ok: false, fields: { "renderOptions.helm.values": [values.error] } };
    const releaseName = draft.releaseName.trim();
    const repositories = lines(draft.repositories).map((line) => {
      const [name = "", ...rest] = line.split(/\s+/);
      return { name, url: rest.join(" ") };
    });
    renderOptions = {
      kind: draft.renderKind,
      helm: {
        ...(releaseName ? { releaseName } : {}),
        valuesFiles: lines(draft.valuesFiles),
        values: values.values,
        ...(repositories.length ? { repositories } : {}),
      },
    };
  }
  const interval = draft.driftInterval.trim();
  return {
    ok: true,
    settings: {
      source,
      renderOptions,
      prune: draft.prune,
      selfHeal: mode === "pull" ? draft.selfHeal : true,
      // A typed "abc" becomes NaN, which the schema refuses with its own message (JSON would turn it into null).
      driftInterval: mode === "pull" && interval ? Number(interval) : null,
    },
  };
}

/** The settings that differ from the application's, as a PATCH body (empty: nothing changed). */
export function changedSettings(app: ApplicationView, settings: Settings): TUpdateApplicationInput {
  const patch: TUpdateApplicationInput = {};
  const before = settingsOf(draftOf(app), app.mode);
  if (!before.ok) return settings;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(before.settings.source, settings.source)) patch.source = settings.source;
  if (!same(before.settings.renderOptions, settings.renderOptions)) patch.renderOptions = settings.renderOptions;
  if (before.settings.prune !== settings.prune) patch.prune = settings.prune;
  if (app.mode === "pull") {
    if (before.settings.selfHeal !== settings.selfHeal) patch.selfHeal = settings.selfHeal;
    if (before.settings.driftInterval !== settings.driftInterval) patch.driftInterval = settings.driftInterval;
  }
  return patch;
}

/** A change an approval rule gates: the source or how it renders (a new desired revision), not the sync options. */
export function changesRevision(patch: TUpdateApplicationInput): boolean {
  return patch.source !== undefined || patch.renderOptions !== undefined;
}

/** Where each input's errors are found among the API's field keys (zod paths, and the pull registration's names). */
const FIELD_KEYS: Record<string, string[]> = {
  name: ["name"],
  targetId: ["targetId"],
  sourceKind: ["source", "source.kind"],
  repoUrl: ["source.repoUrl", "url"],
  ref: ["source.ref", "branch"],
  path: ["source.path", "path"],
  renderKind: ["renderOptions", "renderOptions.kind"],
  releaseName: ["renderOptions.helm.releaseName"],
  valuesFiles: ["renderOptions.helm.valuesFiles"],
  values: ["renderOptions.helm.values", "renderOptions.helm"],
  repositories: ["renderOptions.helm.repositories"],
  prune: ["prune"],
  selfHeal: ["selfHeal"],
  driftInterval: ["driftInterval"],
};

/** Field errors by input (`repoUrl`, `values`…), and those no input shows (listed under the form's message). */
export function errorsByInput(fields: FieldErrors): { byInput: FieldErrors; other: string[] } {
  const byInput: FieldErrors = {};
  const other: string[] = [];
  for (const [key, messages] of Object.entries(fields)) {
    // The most specific key wins: `renderOptions.helm.repositories.0.url` is the repositories input's, not the
    // catch-all `renderOptions.helm`'s.
    let input: string | undefined;
    let best = -1;
    for (const [name, keys] of Object.entries(FIELD_KEYS)) {
      for (const k of keys) {
        const matches = key === k || (k.includes(".") && key.startsWith(`${k}.`));
        if (matches && k.length > best) [input, best] = [name, k.length];
      }
    }
    if (input) (byInput[input] ??= []).push(...messages);
    else other.push(...messages);
  }
  return { byInput, other };
}
