import fs from "node:fs";
import path from "node:path";
import { runGit } from "@/lib/process/git";

/** Where `ensureDemoRepo` put the demo repository, in the shape a repo registration takes. */
export interface DemoRepo {
  /** Working tree people can edit and commit in to watch the agent follow. */
  dir: string;
  /** `file://` URL the agent fetches. */
  url: string;
  branch: string;
  path: string;
}

const DEMO_AUTHOR = {
  GIT_AUTHOR_NAME: "Wharf demo",
  GIT_AUTHOR_EMAIL: "demo@wharf.local",
  GIT_COMMITTER_NAME: "Wharf demo",
  GIT_COMMITTER_EMAIL: "demo@wharf.local",
};

function demoFiles(namespace: string): Record<string, string> {
  return {
    "README.md": `# Wharf demo repository\n\nThe pull agent syncs \`deploy/\` into namespace \`${namespace}\`. Edit a file and commit:\n\n    git commit -am "more replicas"\n\nThe sync history shows the new revision within a poll interval (or at once with a webhook).\n`,
    "deploy/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello-config\ndata:\n  greeting: "Hello from Git"\n`,
    "deploy/deployment.yaml": [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: hello",
      "spec:",
      "  replicas: 2",
      "  selector:",
      "    matchLabels: { app: hello }",
      "  template:",
      "    metadata:",
      "      labels: { app: hello }",
      "    spec:",
      "      containers:",
      "        - name: hello",
      "          image: nginx:1.27",
      "          ports: [{ containerPort: 80 }]",
      "",
    ].join("\n"),
    "deploy/service.yaml": `apiVersion: v1\nkind: Service\nmetadata:\n  name: hello\nspec:\n  selector: { app: hello }\n  ports: [{ port: 80, targetPort: 80 }]\n`,
  };
}

/**
 * Creates (once) a Git repository on disk at `dir` with `files` in one commit on `main`. An existing repository is
 * left as it is, so people's own commits survive restarts. Returns whether it was created now.
 */
export async function ensureGitRepoOnce(opts: {
  dir: string;
  files: Record<string, string>;
  message: string;
}): Promise<boolean> {
  const dir = path.resolve(opts.dir);
  if (fs.existsSync(path.join(dir, ".git"))) return false;
  fs.mkdirSync(dir, { recursive: true });
  await runGit(["init", "--quiet", "--initial-branch=main", dir]);
  for (const [file, content] of Object.entries(opts.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  await runGit(["add", "--all"], { cwd: dir });
  await runGit(["commit", "--quiet", "-m", opts.message], { cwd: dir, env: DEMO_AUTHOR });
  return true;
}

/**
 * Creates (once) a Git repository on disk with a small app under `deploy/` — a Deployment, a Service and a ConfigMap
 * without namespaces, so they land in the pull target's default namespace — for `npm start`'s demo. An existing
 * repository is left as it is, so people's own commits survive restarts.
 */
export async function ensureDemoRepo(opts: { dir: string; namespace: string }): Promise<DemoRepo> {
  const dir = path.resolve(opts.dir);
  await ensureGitRepoOnce({
    dir,
    files: demoFiles(opts.namespace),
    message: "Demo app: hello Deployment, Service and ConfigMap",
  });
  return { dir, url: `file://${dir}`, branch: "main", path: "deploy" };
}
