import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGit } from "@/lib/process/git";
import { runTool, ToolError } from "@/lib/process/run-tool";

// What a dashboard or agent process holds in its environment; no child may see any of it.
const SECRETS = {
  WHARF_MASTER_KEY: "bWFzdGVyLWtleS1tdXN0LW5vdC1sZWFr",
  DATABASE_URL: "postgresql://wharf:hunter2@db/wharf",
  WHARF_ADMIN_PASSWORD: "admin-password-must-not-leak",
  WHARF_AGENT_CREDENTIAL: "wharfa_must_not_leak",
};
const saved: Record<string, string | undefined> = {};

beforeEach(() => {
  for (const [k, v] of Object.entries(SECRETS)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterEach(() => {
  for (const k of Object.keys(SECRETS)) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

function envOf(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

function expectNoWharfVariables(env: Record<string, string>): void {
  expect(Object.keys(env).filter((k) => k.startsWith("WHARF_") || k === "DATABASE_URL")).toEqual([]);
  const all = JSON.stringify(env);
  for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
}

describe("runTool", () => {
  it("gives a child only PATH, a neutral HOME and the C locale, never the parent's environment", async () => {
    const { stdout } = await runTool(process.execPath, ["-e", "process.stdout.write(JSON.stringify(process.env))"]);
    const env = JSON.parse(stdout.toString("utf8")) as Record<string, string>;
    expectNoWharfVariables(env);
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.LANG).toBe("C");
    expect(env.HOME).not.toBe(os.homedir());
    expect(fs.readdirSync(env.HOME!)).toEqual([]);
  });

  it("git's own children (here a shell alias) inherit git's minimal environment, with the git policy variables", async () => {
    const { stdout } = await runGit(["-c", "alias.dumpenv=!env", "dumpenv"], { cwd: os.tmpdir() });
    const env = envOf(stdout.toString("utf8"));
    expectNoWharfVariables(env);
    expect(env).toMatchObject({
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      LC_ALL: "C",
    });
  });

  it("quotes the tool's first fatal:/error: line, not the advice after it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-run-tool-"));
    const err = (await runGit(["fetch", `file://${dir}/missing`, "main"], { cwd: dir, allow: { file: true } }).catch(
      (e: unknown) => e,
    )) as ToolError;
    expect(err).toBeInstanceOf(ToolError);
    expect(err.kind).toBe("exit");
    expect(err.reason).toMatch(/^fatal: .*(does not appear to be a git repository|not a git repository)/);
    expect(err.message).toMatch(/^git fetch failed: fatal:/);
  });

  it("kills a child that runs past its timeout or writes more than the output cap", async () => {
    const slow = (await runTool(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { timeoutMs: 200 }).catch(
      (e: unknown) => e,
    )) as ToolError;
    expect(slow).toBeInstanceOf(ToolError);
    expect(slow.kind).toBe("timeout");
    const loud = (await runTool(process.execPath, ["-e", "process.stdout.write('x'.repeat(1 << 20))"], {
      maxOutputBytes: 1000,
    }).catch((e: unknown) => e)) as ToolError;
    expect(loud.kind).toBe("output-limit");
  });

  it("passes arguments as they are: no shell expands them", async () => {
    const { stdout } = await runTool(process.execPath, [
      "-e",
      "process.stdout.write(process.argv[1])",
      "$(id) `id` ; id",
    ]);
    expect(stdout.toString()).toBe("$(id) `id` ; id");
  });

  it("redacts URL credentials from the quoted reason", async () => {
    const err = (await runTool(process.execPath, [
      "-e",
      "console.error(\"fatal: unable to access 'https://bot:s3cret@git.example.com/a.git/'\"); process.exit(2)",
    ]).catch((e: unknown) => e)) as ToolError;
    expect(err.reason).toBe("fatal: unable to access 'https://***@git.example.com/a.git/'");
    expect(err.stderr).not.toContain("s3cret");
  });
});
