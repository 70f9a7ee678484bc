import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "@/lib/agent/config";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "wharf-agent-config-"));
}

function kubeconfig(dir: string): string {
  const file = path.join(dir, "kubeconfig");
  fs.writeFileSync(file, "apiVersion: v1\nkind: Config\nclusters: []\n");
  return file;
}

describe("loadAgentConfig", () => {
  it("names missing or invalid variables, never their values", () => {
    expect(() => loadAgentConfig({})).toThrow(/WHARF_URL/);
    const secret = "wharfa_super-secret-value";
    let message = "";
    try {
      loadAgentConfig({ WHARF_URL: "ftp://nope", WHARF_AGENT_CREDENTIAL: secret });
    } catch (err) {
      message = String(err);
    }
    expect(message).toMatch(/WHARF_URL/);
    expect(message).not.toContain(secret);
  });

  it("needs a credential, an enrolment token, or a credential already in the state directory", () => {
    const dir = tempDir();
    const base = {
      WHARF_URL: "https://wharf.example.com",
      WHARF_AGENT_STATE_DIR: dir,
      WHARF_AGENT_KUBECONFIG: kubeconfig(dir),
    };
    expect(() => loadAgentConfig(base)).toThrow(/WHARF_AGENT_CREDENTIAL.*WHARF_ENROLMENT_TOKEN/);
    fs.writeFileSync(path.join(dir, "credential"), "wharfa_x\n");
    expect(loadAgentConfig(base).credential).toBeUndefined();
  });

  it("reads credentials from mounted Secret files, a missing key meaning unset, and maps the Git credentials directory", () => {
    const dir = tempDir();
    const secretDir = path.join(dir, "agent");
    const gitDir = path.join(dir, "git");
    fs.mkdirSync(secretDir);
    fs.mkdirSync(gitDir);
    fs.writeFileSync(path.join(secretDir, "enrolment-token"), "wharfe_token\n");
    fs.writeFileSync(path.join(gitDir, "git-credentials"), "https://u:p@git.example.com\n");
    fs.writeFileSync(path.join(gitDir, "known_hosts"), "git.example.com ssh-ed25519 AAAA\n");
    const registry = path.join(dir, "config.json");
    fs.writeFileSync(registry, JSON.stringify({ auths: { "ghcr.io": { username: "bot", password: "pw" } } }));
    const config = loadAgentConfig({
      WHARF_URL: "http://127.0.0.1:3000",
      WHARF_AGENT_CREDENTIAL_FILE: path.join(secretDir, "credential"),
      WHARF_ENROLMENT_TOKEN_FILE: path.join(secretDir, "enrolment-token"),
      WHARF_AGENT_STATE_DIR: path.join(dir, "state"),
      KUBERNETES_SERVICE_HOST: "10.0.0.1",
      WHARF_GIT_CREDENTIALS_DIR: gitDir,
      WHARF_REGISTRY_CREDENTIALS_FILE: registry,
      WHARF_AGENT_CREDENTIAL_SECRET: "wharf-agent-credential",
      POD_NAMESPACE: "wharf-agent",
    });
    expect(config).toMatchObject({
      wharfUrl: "http://127.0.0.1:3000",
      enrolmentToken: "wharfe_token",
      kube: { mode: "in-cluster" },
      git: {
        credentialStoreFile: path.join(gitDir, "git-credentials"),
        knownHostsFile: path.join(gitDir, "known_hosts"),
      },
      registryCredentials: { "ghcr.io": { username: "bot", password: "pw" } },
      credentialSecret: { namespace: "wharf-agent", name: "wharf-agent-credential" },
    });
    expect(config.credential).toBeUndefined();
    expect(config.git.sshKeyFile).toBeUndefined();
  });

  it("prefers an explicit kubeconfig over the in-cluster service account", () => {
    const dir = tempDir();
    const file = kubeconfig(dir);
    const config = loadAgentConfig({
      WHARF_URL: "https://w.example.com",
      WHARF_AGENT_CREDENTIAL: "wharfa_x",
      WHARF_AGENT_KUBECONFIG: file,
      KUBERNETES_SERVICE_HOST: "10.0.0.1",
      WHARF_AGENT_KUBE_CONTEXT: "dev",
    });
    expect(config.kube).toEqual({ mode: "kubeconfig", path: file, context: "dev" });
  });
});
