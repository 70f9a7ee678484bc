import { describe, expect, it } from "vitest";
import {
  defaultRequiredApprovals,
  dnsLabelProblem,
  ZCreateTarget,
  ZServerUrl,
  ZTargetListQuery,
  ZTargetName,
  ZUpdateTarget,
} from "@/lib/targets/schemas";

function nameErrors(value: unknown): string[] {
  const r = ZTargetName.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

describe("ZTargetName (DNS-1123 label)", () => {
  it.each(["a", "0", "prod-eu-1", "1st", "a".repeat(63), "a-b-c", "9-9"])("accepts %j", (name) => {
    expect(nameErrors(name)).toEqual([]);
  });

  it("counts 63 characters as the limit, 64 as one too many", () => {
    expect(nameErrors("a".repeat(63))).toEqual([]);
    expect(nameErrors("a".repeat(64))).toEqual(["Use at most 63 characters (this has 64)."]);
  });

  it.each([
    ["", "Enter a name."],
    ["   ", "Enter a name."],
    ["Prod", "Use lower-case letters only."],
    ["prod_eu", "Use only lower-case letters, digits and '-'."],
    ["prod.eu", "Use only lower-case letters, digits and '-'."],
    ["prod eu", "Use only lower-case letters, digits and '-'."],
    ["prödeu", "Use only lower-case letters, digits and '-'."],
    ["-prod", "Start with a letter or digit."],
    ["prod-", "End with a letter or digit."],
    ["-", "Start with a letter or digit."],
  ])("refuses %j with a clear message", (name, message) => {
    expect(nameErrors(name)).toEqual([message]);
  });

  it("trims surrounding whitespace before checking", () => {
    expect(ZTargetName.parse("  edge-1 ")).toBe("edge-1");
  });

  it("refuses non-strings", () => {
    expect(nameErrors(42)).toEqual(["Enter a name."]);
  });

  it("dnsLabelProblem agrees with the Kubernetes pattern on a sweep of inputs", () => {
    const k8s = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const samples = ["a", "ab", "a-b", "a--b", "-a", "a-", "A", "a_b", "", "x".repeat(63), "x".repeat(64), "0-0", "é"];
    for (const s of samples) expect(dnsLabelProblem(s) === null).toBe(k8s.test(s) && s.length <= 63);
  });
});

describe("ZServerUrl", () => {
  it.each(["https://10.0.0.1:6443", "http://127.0.0.1:8080", "https://api.cluster.example/k8s"])(
    "accepts %j",
    (url) => {
      expect(ZServerUrl.safeParse(url).success).toBe(true);
    },
  );
  it.each([
    ["", "Enter the cluster's API server URL."],
    ["10.0.0.1:6443", "Start the URL with https:// (or http://)."],
    ["cluster.example:6443", "Start the URL with https:// (or http://)."],
    ["not a url", "Start the URL with https:// (or http://)."],
    ["https://", "Enter a full URL, e.g. https://10.0.0.1:6443."],
    ["ftp://cluster", "Use an https:// (or http://) URL."],
    ["https://user:pw@cluster", "Do not put credentials in the URL; store them as the target's credential."],
    ["https://cluster?token=x", "Remove the query string or fragment from the URL."],
  ])("refuses %j", (url, message) => {
    const r = ZServerUrl.safeParse(url);
    expect(r.success ? [] : r.error.issues.map((i) => i.message)).toEqual([message]);
  });
});

describe("ZCreateTarget", () => {
  const base = { name: "edge", environment: "dev", mode: "push", serverUrl: "https://10.0.0.1:6443" };

  it("accepts the minimum and leaves the approval default to the service", () => {
    const parsed = ZCreateTarget.parse(base);
    expect(parsed.requiredApprovals).toBeUndefined();
  });

  it("bounds required approvals to 0–5 whole numbers", () => {
    for (const n of [0, 5]) expect(ZCreateTarget.safeParse({ ...base, requiredApprovals: n }).success).toBe(true);
    for (const n of [-1, 6, 1.5])
      expect(ZCreateTarget.safeParse({ ...base, requiredApprovals: n }).success).toBe(false);
  });

  it("checks each allowed namespace as a DNS label and refuses duplicates", () => {
    const r = ZCreateTarget.safeParse({ ...base, allowedNamespaces: ["default", "Bad", "default"] });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["allowedNamespaces.1", "allowedNamespaces.2"]));
  });

  it("requires the default namespace on a non-empty allow-list", () => {
    expect(ZCreateTarget.safeParse({ ...base, defaultNamespace: "web", allowedNamespaces: ["api"] }).success).toBe(
      false,
    );
    expect(
      ZCreateTarget.safeParse({ ...base, defaultNamespace: "web", allowedNamespaces: ["api", "web"] }).success,
    ).toBe(true);
    expect(ZCreateTarget.safeParse({ ...base, defaultNamespace: "web", allowedNamespaces: [] }).success).toBe(true);
  });

  it("reads an empty CA bundle as none and refuses non-PEM text", () => {
    expect(ZCreateTarget.parse({ ...base, caBundle: "  " }).caBundle).toBeNull();
    expect(ZCreateTarget.safeParse({ ...base, caBundle: "hello" }).success).toBe(false);
  });

  it("refuses unknown fields and a bad mode or environment", () => {
    expect(ZCreateTarget.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(ZCreateTarget.safeParse({ ...base, mode: "both" }).success).toBe(false);
    expect(ZCreateTarget.safeParse({ ...base, environment: "" }).success).toBe(false);
    expect(ZCreateTarget.safeParse({ ...base, environment: "e".repeat(64) }).success).toBe(false);
  });
});

describe("ZUpdateTarget", () => {
  it("accepts a partial patch and still checks the fields it has", () => {
    expect(ZUpdateTarget.parse({ requiredApprovals: 2 })).toEqual({ requiredApprovals: 2 });
    expect(ZUpdateTarget.safeParse({ name: "Not_Valid" }).success).toBe(false);
  });
});

describe("defaultRequiredApprovals", () => {
  it.each([
    ["prod", 1],
    ["production", 1],
    ["PROD", 1],
    [" Production ", 1],
    ["prod-eu", 0],
    ["staging", 0],
    ["dev", 0],
  ])("%j → %i", (env, n) => {
    expect(defaultRequiredApprovals(env)).toBe(n);
  });
});

describe("ZTargetListQuery", () => {
  it("defaults the limit to 25 and caps it at 100", () => {
    expect(ZTargetListQuery.parse({}).limit).toBe(25);
    expect(ZTargetListQuery.parse({ limit: "100" }).limit).toBe(100);
    expect(ZTargetListQuery.safeParse({ limit: "101" }).success).toBe(false);
    expect(ZTargetListQuery.safeParse({ limit: "0" }).success).toBe(false);
  });
  it("treats empty strings as no filter", () => {
    expect(ZTargetListQuery.parse({ q: " ", mode: "", environment: "", cursor: "" })).toEqual({ limit: 25 });
  });
});
