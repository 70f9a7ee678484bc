import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { specOf, type TAssignments } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { AgentState } from "@/lib/agent/state";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-agent-state-test-"));
  dirs.push(dir);
  return dir;
}

const repo = {
  repoId: "repo-1",
  url: "https://git.example.test/team/app.git",
  branch: "main",
  path: "deploy",
  pollIntervalSeconds: 60,
  prune: true,
  selfHeal: true,
  imagePolicies: [],
  approvedRevision: null,
  pinnedRevision: null,
  notifySeq: 0,
};
const assignments: TAssignments = {
  changed: true,
  version: "1",
  agent: { id: "agent-1", name: "a" },
  targets: [
    {
      targetId: "t-1",
      name: "t",
      defaultNamespace: "app",
      allowedNamespaces: [],
      allowClusterScoped: false,
      requiresApproval: true,
      repos: [repo],
    },
  ],
};

describe("agent state written before spec digests", () => {
  it("adopts the spec of the assignments persisted with it, once, and names the revision with its digest", () => {
    const dir = stateDir();
    const before = new AgentState(dir);
    before.setAssignments(assignments);
    // A record as an agent without spec digests wrote it: no spec, a revision id without `@…`.
    before.setRepo("repo-1", {
      revision: "abc123",
      sha: "abc123",
      images: {},
      inventory: [],
      appliedAt: new Date(0).toISOString(),
    });

    const state = new AgentState(dir);
    state.adoptLegacySpecs();
    const spec = specOf(repo);
    expect(state.repo("repo-1")).toMatchObject({ revision: `abc123@${specDigestOf(spec)}`, spec });
    // Persisted: a restart reads it back as is, and adopting again changes nothing even if the assignments moved on.
    const again = new AgentState(dir);
    again.setAssignments({
      ...assignments,
      targets: [{ ...assignments.targets[0]!, repos: [{ ...repo, path: "elsewhere" }] }],
    });
    again.adoptLegacySpecs();
    expect(again.repo("repo-1")).toMatchObject({ revision: `abc123@${specDigestOf(spec)}`, spec: { path: "deploy" } });
  });
});
