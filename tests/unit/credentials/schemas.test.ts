import { describe, expect, it } from "vitest";
import {
  ZCredentialPolicy,
  ZKubeconfigImport,
  ZStoreCredential,
  ZUpdateCredentialPolicy,
} from "@/lib/credentials/schemas";

describe("ZCredentialPolicy", () => {
  it("applies defaults", () => {
    expect(ZCredentialPolicy.parse({ name: "p", maxAgeDays: 90, warnBeforeDays: 7 })).toEqual({
      name: "p",
      maxAgeDays: 90,
      warnBeforeDays: 7,
      minReplaceRole: "admin",
      autoRotate: false,
      environment: null,
    });
  });
  it.each([
    [{ maxAgeDays: 0, warnBeforeDays: 0 }, "maxAgeDays"],
    [{ maxAgeDays: 3651, warnBeforeDays: 1 }, "maxAgeDays"],
    [{ maxAgeDays: 30, warnBeforeDays: 30 }, "warnBeforeDays"],
    [{ maxAgeDays: 30, warnBeforeDays: -1 }, "warnBeforeDays"],
  ])("refuses %j at %s", (limits, field) => {
    const r = ZCredentialPolicy.safeParse({ name: "p", ...limits });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toContain(field);
  });
  it("PATCH leaves missing fields missing (no defaults) and clears environment only on null", () => {
    expect(ZUpdateCredentialPolicy.parse({ maxAgeDays: 10 })).toEqual({ maxAgeDays: 10 });
    expect(ZUpdateCredentialPolicy.parse({ environment: null })).toEqual({ environment: null });
    expect(ZUpdateCredentialPolicy.parse({ environment: "" })).toEqual({ environment: null });
  });
});

describe("ZStoreCredential", () => {
  it("requires the fields of the kind", () => {
    expect(ZStoreCredential.safeParse({ kind: "client-certificate", token: "x" }).success).toBe(false);
    expect(ZStoreCredential.safeParse({ kind: "bearer-token", token: "  " }).success).toBe(false);
    expect(ZStoreCredential.safeParse({ kind: "ssh-key", token: "x" }).success).toBe(false);
  });
  it("error messages never contain the value", () => {
    const r = ZStoreCredential.safeParse({ kind: "bearer-token", token: "SECRET".repeat(3000) });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).not.toContain("SECRETSECRET");
  });
});

describe("ZKubeconfigImport", () => {
  it("needs contexts unless it is a dry run", () => {
    expect(ZKubeconfigImport.safeParse({ kubeconfig: "x", dryRun: true }).success).toBe(true);
    expect(ZKubeconfigImport.safeParse({ kubeconfig: "x" }).success).toBe(false);
  });
  it("refuses invalid target names and a context picked twice", () => {
    const c = { context: "a", mode: "push", environment: "dev" };
    expect(ZKubeconfigImport.safeParse({ kubeconfig: "x", contexts: [{ ...c, name: "Bad_Name" }] }).success).toBe(
      false,
    );
    expect(ZKubeconfigImport.safeParse({ kubeconfig: "x", contexts: [c, c] }).success).toBe(false);
  });
  it("refuses a kubeconfig over 1 MiB", () => {
    expect(ZKubeconfigImport.safeParse({ kubeconfig: "x".repeat(1024 * 1024 + 1), dryRun: true }).success).toBe(false);
  });
});
