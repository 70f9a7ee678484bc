import fs from "node:fs";
import path from "node:path";
import { ensureGitRepoOnce } from "@/lib/agent/demo";
import { createApplication } from "@/lib/applications/data/create-application";
import { ZCreateApplication, type TRenderOptions } from "@/lib/applications/schemas";
import { NO_REQUEST, type Actor } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { requestDeployment } from "@/lib/deployments/data/request-deployment";
import { findHelm, findKustomize, type RenderToolName, type RenderToolPaths } from "@/lib/render";
import { registerRepo } from "@/lib/repos/data/register-repo";

/**
 * `npm start`'s demo applications: one Git repository on disk (`<data>/demo-apps`) holding a Helm chart with values
 * files per environment, a kustomize base with an overlay per environment and a plain folder, delivered as
 * applications to the demo's push targets (dev, staging, prod) and to its pull target, so a first start shows every
 * kind of source in both modes, healthy and (`checkout`, an image the sandbox never makes ready) degraded. Helm and kustomize applications are seeded only when the binary is there (on PATH, or
 * built by `npm run cluster:build`, which npm start puts on PATH); otherwise a note says which one is missing and how
 * to build it, and the next start adds them.
 */

const CHART = "charts/storefront";
/** A plain folder whose Deployment never gets ready: the demo's Degraded application, in both modes. */
const CHECKOUT = "checkout";

const DEMO_APPS_FILES: Record<string, string> = {
  "README.md": [
    "# Wharf demo applications",
    "",
    "`npm start` delivers these folders as applications to the demo targets:",
    "",
    "- `charts/storefront`: a Helm chart; each environment adds its values file (`values-dev.yaml`, …) and inline",
    "  values from the application's render options.",
    "- `catalog/overlays/<env>`: kustomize overlays on `catalog/base`.",
    "- `guestbook`: plain YAML.",
    "- `checkout`: plain YAML whose image is tagged `fail`: the sandbox's kubelet crash-loops it, so it never gets",
    "  ready and shows Degraded (a failed rollout on a push target). Change the tag and commit to heal it.",
    "",
    'Edit a file and commit (`git commit -am "…"`): the pull target\'s agent syncs it within seconds; on a push',
    "target, request a new deployment of the application.",
    "",
  ].join("\n"),
  [`${CHART}/Chart.yaml`]: [
    "apiVersion: v2",
    "name: storefront",
    "description: The demo shop's web front end",
    "version: 0.1.0",
    'appVersion: "1.27"',
    "",
  ].join("\n"),
  [`${CHART}/values.yaml`]: [
    "replicaCount: 1",
    "image:",
    "  repository: nginx",
    '  tag: "1.27"',
    "environment: default",
    "greeting: Hello from the storefront chart",
    "",
  ].join("\n"),
  [`${CHART}/values-dev.yaml`]: "environment: dev\n",
  [`${CHART}/values-staging.yaml`]: "environment: staging\nreplicaCount: 2\n",
  [`${CHART}/values-prod.yaml`]: "environment: prod\nreplicaCount: 3\n",
  [`${CHART}/templates/_helpers.tpl`]: [
    '{{- define "storefront.labels" -}}',
    "app.kubernetes.io/name: {{ .Chart.Name }}",
    "app.kubernetes.io/instance: {{ .Release.Name }}",
    "{{- end }}",
    "",
  ].join("\n"),
  [`${CHART}/templates/configmap.yaml`]: [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: {{ .Release.Name }}-config",
    "  labels:",
    '    {{- include "storefront.labels" . | nindent 4 }}',
    "data:",
    "  environment: {{ .Values.environment | quote }}",
    "  greeting: {{ .Values.greeting | quote }}",
    "",
  ].join("\n"),
  [`${CHART}/templates/deployment.yaml`]: [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: {{ .Release.Name }}",
    "  labels:",
    '    {{- include "storefront.labels" . | nindent 4 }}',
    "spec:",
    "  replicas: {{ .Values.replicaCount }}",
    "  selector:",
    "    matchLabels:",
    '      {{- include "storefront.labels" . | nindent 6 }}',
    "  template:",
    "    metadata:",
    "      labels:",
    '        {{- include "storefront.labels" . | nindent 8 }}',
    "    spec:",
    "      containers:",
    "        - name: web",
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
    "          ports:",
    "            - containerPort: 80",
    "          envFrom:",
    "            - configMapRef:",
    "                name: {{ .Release.Name }}-config",
    "",
  ].join("\n"),
  [`${CHART}/templates/service.yaml`]: [
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    "  name: {{ .Release.Name }}",
    "  labels:",
    '    {{- include "storefront.labels" . | nindent 4 }}',
    "spec:",
    "  selector:",
    '    {{- include "storefront.labels" . | nindent 4 }}',
    "  ports:",
    "    - port: 80",
    "      targetPort: 80",
    "",
  ].join("\n"),
  [`${CHART}/templates/NOTES.txt`]: "The storefront answers on service {{ .Release.Name }}, port 80.\n",
  "catalog/base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\n",
  "catalog/base/deployment.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: catalog",
    "spec:",
    "  replicas: 1",
    "  selector:",
    "    matchLabels: { app: catalog }",
    "  template:",
    "    metadata:",
    "      labels: { app: catalog }",
    "    spec:",
    "      containers:",
    "        - name: catalog",
    "          image: nginx:1.27",
    "          ports: [{ containerPort: 80 }]",
    "          envFrom: [{ configMapRef: { name: catalog-settings } }]",
    "",
  ].join("\n"),
  "catalog/base/service.yaml": [
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    "  name: catalog",
    "spec:",
    "  selector: { app: catalog }",
    "  ports: [{ port: 80, targetPort: 80 }]",
    "",
  ].join("\n"),
  ...Object.fromEntries(
    (
      [
        ["dev", 1],
        ["staging", 2],
        ["prod", 3],
      ] as const
    ).map(([environment, replicas]) => [
      `catalog/overlays/${environment}/kustomization.yaml`,
      [
        "resources:",
        "  - ../../base",
        "labels:",
        `  - pairs: { environment: ${environment} }`,
        "    includeSelectors: false",
        "replicas:",
        "  - name: catalog",
        `    count: ${replicas}`,
        "configMapGenerator:",
        "  - name: catalog-settings",
        "    literals:",
        `      - ENVIRONMENT=${environment}`,
        "    options:",
        "      disableNameSuffixHash: true",
        "",
      ].join("\n"),
    ]),
  ),
  "guestbook/config.yaml": [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: guestbook-config",
    "data:",
    '  title: "Wharf guestbook"',
    "",
  ].join("\n"),
  "guestbook/deployment.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: guestbook-ui",
    "spec:",
    "  replicas: 1",
    "  selector:",
    "    matchLabels: { app: guestbook-ui }",
    "  template:",
    "    metadata:",
    "      labels: { app: guestbook-ui }",
    "    spec:",
    "      containers:",
    "        - name: guestbook-ui",
    "          image: nginx:1.27",
    "          ports: [{ containerPort: 80 }]",
    "",
  ].join("\n"),
  [`${CHECKOUT}/deployment.yaml`]: [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: checkout",
    "spec:",
    "  replicas: 1",
    // Reported failed (ProgressDeadlineExceeded, so Degraded) after 30 s rather than Kubernetes' default 10 minutes.
    "  progressDeadlineSeconds: 30",
    "  selector:",
    "    matchLabels: { app: checkout }",
    "  template:",
    "    metadata:",
    "      labels: { app: checkout }",
    "    spec:",
    "      containers:",
    "        - name: checkout",
    // The tag the sandbox (and the real control plane's kwok) treat as a container that exits 1 (CrashLoopBackOff).
    "          image: nginx:fail",
    "          ports: [{ containerPort: 80 }]",
    "",
  ].join("\n"),
  "guestbook/service.yaml": [
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    "  name: guestbook-ui",
    "spec:",
    "  selector: { app: guestbook-ui }",
    "  ports: [{ port: 80, targetPort: 80 }]",
    "",
  ].join("\n"),
};

export interface DemoApplication {
  target: string;
  mode: "push" | "pull";
  name: string;
  path: string;
  renderOptions: TRenderOptions;
  /** The binary it renders with; none for plain YAML. */
  needs?: RenderToolName;
}

const helmApp = (
  target: string,
  mode: "push" | "pull",
  environment: string,
  values: Record<string, unknown> = {},
): DemoApplication => ({
  target,
  mode,
  name: "storefront",
  path: CHART,
  renderOptions: { kind: "helm", helm: { valuesFiles: [`values-${environment}.yaml`], values } },
  needs: "helm",
});

const kustomizeApp = (target: string, mode: "push" | "pull", environment: string): DemoApplication => ({
  target,
  mode,
  name: "catalog",
  path: `catalog/overlays/${environment}`,
  renderOptions: { kind: "kustomize" },
  needs: "kustomize",
});

/**
 * The seeded applications. The same name on several targets is one application in several environments. Push
 * targets without approvals deploy at once; the others' first deployments wait for approvers (the demo admin
 * requested them, so another user approves). The pull target's agent syncs its applications itself.
 */
export const DEMO_APPLICATIONS: DemoApplication[] = [
  helmApp("shop-dev", "push", "dev", { greeting: "Hello from dev (inline value)" }),
  kustomizeApp("shop-dev", "push", "dev"),
  { target: "shop-dev", mode: "push", name: "guestbook", path: "guestbook", renderOptions: { kind: "plain" } },
  helmApp("shop-staging", "push", "staging"),
  kustomizeApp("shop-staging", "push", "staging"),
  helmApp("payments-prod", "push", "prod"),
  kustomizeApp("payments-prod", "push", "prod"),
  helmApp("web-staging", "pull", "staging", { greeting: "Hello from the pull agent (inline value)" }),
  kustomizeApp("web-staging", "pull", "staging"),
  // Prod for pull requires an approval: its agent asks for one, and staging's revision can be promoted to it.
  kustomizeApp("edge-prod", "pull", "prod"),
  // Degraded in both modes (never ready): on targets that need no approval, so a first start shows it at once.
  { target: "shop-dev", mode: "push", name: "checkout", path: CHECKOUT, renderOptions: { kind: "plain" } },
  { target: "web-staging", mode: "pull", name: "checkout", path: CHECKOUT, renderOptions: { kind: "plain" } },
];

const DEMO_ACTOR: Actor = { kind: "system", id: null, name: "wharf demo" };

/** The render tools this machine lacks: lib/render's own lookup (PATH, or the explicit paths tests give). */
export function missingRenderTools(tools: RenderToolPaths = {}): RenderToolName[] {
  const missing: RenderToolName[] = [];
  try {
    findHelm(tools, "the demo");
  } catch {
    missing.push("helm");
  }
  try {
    findKustomize(tools, "the demo");
  } catch {
    missing.push("kustomize");
  }
  return missing;
}

/** The note for a missing binary: what was left out, and the command that builds it. */
export function missingToolNote(tool: RenderToolName, apps: DemoApplication[]): string {
  const what = tool === "helm" ? "Helm chart" : "kustomize";
  const list = apps.map((a) => `${a.name} on ${a.target}`).join(", ");
  return (
    `${tool} was not found (on PATH or in the cluster:build cache), so the demo's ${what} applications (${list}) ` +
    `were not created. Build it with \`npm run cluster:build -- --only ${tool}\` (needs Go ≥ 1.26) and run ` +
    "`npm start` again: they are added then."
  );
}

export interface DemoApplicationsResult {
  /** `target/name` of each application created now. */
  created: string[];
  /** For the terminal: missing binaries, and anything that could not be seeded. */
  notes: string[];
}

interface SeedState {
  seeded: string[];
}

function readState(file: string): SeedState {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<SeedState>;
    return { seeded: Array.isArray(parsed.seeded) ? parsed.seeded.filter((s) => typeof s === "string") : [] };
  } catch {
    return { seeded: [] };
  }
}

/** The demo applications' repository: created once, then left to people's own commits. */
export async function ensureDemoAppsRepo(dir: string): Promise<{ dir: string; url: string }> {
  const abs = path.resolve(dir);
  await ensureGitRepoOnce({
    dir: abs,
    files: DEMO_APPS_FILES,
    message: "Demo applications: a Helm chart, a kustomize overlay per environment and a plain folder",
  });
  return { dir: abs, url: `file://${abs}` };
}

/**
 * Creates the demo applications that are not there yet, on the demo targets that exist, and requests each push
 * application's first deployment. Idempotent: `stateFile` lists every application seeded once (so one deleted on
 * purpose is not brought back) and an application already on its target is never created again; one skipped for a
 * missing binary is created by a later start that finds it. A failure of one application is a note, never a failed
 * start.
 */
export async function seedDemoApplications(opts: {
  repoDir: string;
  stateFile: string;
  /** Explicit tool paths (tests); otherwise PATH. */
  tools?: RenderToolPaths;
  apps?: DemoApplication[];
}): Promise<DemoApplicationsResult> {
  const apps = opts.apps ?? DEMO_APPLICATIONS;
  const repo = await ensureDemoAppsRepo(opts.repoDir);
  const state = readState(opts.stateFile);
  const missing = missingRenderTools(opts.tools);
  const admin = await db().user.findFirst({ where: { role: "admin" }, orderBy: { createdAt: "asc" } });
  const result: DemoApplicationsResult = { created: [], notes: [] };
  if (!admin) return result;
  const skipped = new Map<RenderToolName, DemoApplication[]>();

  for (const app of apps) {
    const key = `${app.target}/${app.name}`;
    if (state.seeded.includes(key)) continue;
    const target = await db().target.findUnique({
      where: { name_archivedKey: { name: app.target, archivedKey: "" } },
      select: { id: true, mode: true, defaultNamespace: true },
    });
    // A demo target someone removed or switched to the other mode keeps what they made of it.
    if (!target || target.mode !== app.mode) continue;
    const existing = await db().application.findUnique({
      where: { targetId_name_archivedKey: { targetId: target.id, name: app.name, archivedKey: "" } },
      select: { id: true },
    });
    if (existing) {
      state.seeded.push(key);
      continue;
    }
    // A demo repository made by an older Wharf lacks newer folders; it is people's own now, so nothing is added to it.
    if (!fs.existsSync(path.join(repo.dir, app.path))) continue;
    if (app.needs && missing.includes(app.needs)) {
      skipped.set(app.needs, [...(skipped.get(app.needs) ?? []), app]);
      continue;
    }
    try {
      if (app.mode === "pull") {
        await registerRepo({
          targetId: target.id,
          // A 5 s poll: a local file repository sends no webhooks.
          input: { url: repo.url, branch: "main", path: app.path, pollIntervalSeconds: 5, prune: true, selfHeal: true },
          application: { name: app.name, renderOptions: app.renderOptions },
          createdById: admin.id,
          actor: DEMO_ACTOR,
          request: NO_REQUEST,
        });
      } else {
        await createApplication({
          input: ZCreateApplication.parse({
            name: app.name,
            targetId: target.id,
            source: { kind: "git", repoUrl: repo.url, ref: "main", path: app.path },
            renderOptions: app.renderOptions,
          }),
          createdById: admin.id,
          actor: DEMO_ACTOR,
          request: NO_REQUEST,
        });
      }
      state.seeded.push(key);
      result.created.push(key);
    } catch (err) {
      result.notes.push(`could not create the demo application ${key}: ${(err as Error).message}`);
      continue;
    }
    if (app.mode === "push") {
      try {
        await requestDeployment({
          targetId: target.id,
          source: { kind: "git", url: repo.url, ref: "main", path: app.path },
          application: app.name,
          reason: `Demo: first deployment of ${app.name} (${app.renderOptions.kind} source ${app.path})`,
          actor: DEMO_ACTOR,
          principal: { userId: admin.id, email: admin.email, role: "admin", kind: "user" },
          request: NO_REQUEST,
        });
      } catch (err) {
        result.notes.push(`could not request the first deployment of ${key}: ${(err as Error).message}`);
      }
    }
  }
  fs.mkdirSync(path.dirname(opts.stateFile), { recursive: true });
  fs.writeFileSync(opts.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  for (const [tool, list] of skipped) result.notes.push(missingToolNote(tool, list));
  return result;
}
