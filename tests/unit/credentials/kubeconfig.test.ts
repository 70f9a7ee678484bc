import { describe, expect, it } from "vitest";
import { deriveTargetName, parseKubeconfig, previewContext } from "@/lib/credentials/kubeconfig";
import { threeContextKubeconfig } from "./fixtures";

describe("parseKubeconfig", () => {
  const fx = threeContextKubeconfig();
  const parsed = parseKubeconfig(fx.yaml);

  it("resolves every context to its cluster, CA and user", () => {
    expect(parsed.currentContext).toBe("Staging_EU");
    expect(parsed.contexts.map((c) => c.name)).toEqual([
      "Staging_EU",
      "prod-admin",
      "arn:aws:eks:eu-west-1:123456789012:cluster/Prod",
    ]);
    const [staging, prod, eks] = parsed.contexts;
    expect(staging).toMatchObject({
      server: "https://10.0.0.1:6443",
      namespace: "apps",
      insecureSkipTlsVerify: false,
      problems: [],
      credentialNote: null,
    });
    expect(staging?.caPem).toContain("-----BEGIN CERTIFICATE-----");
    expect(staging?.credential?.metadata).toMatchObject({
      kind: "service-account-token",
      subject: "system:serviceaccount:wharf:deployer",
    });
    expect(prod).toMatchObject({ server: "https://prod.example.com:6443", namespace: "default" });
    expect(prod?.credential?.metadata).toMatchObject({ kind: "client-certificate", subject: "CN=kube-admin, O=devs" });
    expect(eks).toMatchObject({ insecureSkipTlsVerify: true, caPem: null, credential: null, problems: [] });
    expect(eks?.credentialNote).toMatch(/exec plugin \(aws\)/);
  });

  it("previews without any secret", () => {
    const previews = parsed.contexts.map((c) =>
      previewContext(c, { currentContext: parsed.currentContext, takenNames: new Set(["prod-admin"]) }),
    );
    const text = JSON.stringify(previews);
    expect(text).not.toContain(fx.token);
    expect(text).not.toContain(fx.cert.keyPem.split("\n")[1]);
    expect(previews[0]).toMatchObject({
      suggestedName: "staging-eu",
      isCurrent: true,
      hasCaBundle: true,
      credential: { kind: "service-account-token" },
    });
    expect(previews[1]).toMatchObject({
      suggestedName: "prod-admin",
      nameTaken: true,
      credential: { kind: "client-certificate" },
    });
    expect(previews[2]).toMatchObject({
      suggestedName: "arn-aws-eks-eu-west-1-123456789012-cluster-prod",
      credential: null,
    });
  });

  it("refuses CA file paths with a clear problem, and reports file-based users as not importable", () => {
    const yaml = `
clusters:
- name: c
  cluster: {server: "https://k:6443", certificate-authority: /home/me/.minikube/ca.crt}
users:
- name: u
  user: {client-certificate: /home/me/cert.crt, client-key: /home/me/key.pem}
contexts:
- name: minikube
  context: {cluster: c, user: u}
`;
    const [ctx] = parseKubeconfig(yaml).contexts;
    expect(ctx?.problems.join(" ")).toMatch(/file path \(\/home\/me\/.minikube\/ca.crt\).*--flatten/);
    expect(ctx?.credential).toBeNull();
    expect(ctx?.credentialNote).toMatch(/file path/);
  });

  it("reports missing clusters and users per context instead of failing", () => {
    const yaml = `
contexts:
- name: a
  context: {cluster: missing, user: nobody}
- name: b
  context: {}
`;
    const [a, b] = parseKubeconfig(yaml).contexts;
    expect(a?.problems).toEqual([`The cluster "missing" is not in the kubeconfig.`]);
    expect(a?.credentialNote).toMatch(/not in the kubeconfig/);
    expect(b?.problems).toEqual(["The context names no cluster."]);
  });

  it("reports a token user with a key that does not match as not importable, without the material", () => {
    const other = threeContextKubeconfig();
    const yaml = fx.yaml.replace(
      /client-key-data: .*/,
      `client-key-data: ${Buffer.from(other.cert.keyPem).toString("base64")}`,
    );
    const prod = parseKubeconfig(yaml).contexts[1];
    expect(prod?.credential).toBeNull();
    expect(prod?.credentialNote).toMatch(/does not belong to the certificate/);
  });

  it.each([
    ["not YAML", "key: [unclosed"],
    ["a list", "- a\n- b"],
    ["another kind", "kind: Deployment\ncontexts: []"],
    ["no contexts", "clusters: []\ncontexts: []"],
  ])("fails on %s with INVALID_KUBECONFIG", (_name, text) => {
    expect(() => parseKubeconfig(text)).toThrowError(expect.objectContaining({ code: "INVALID_KUBECONFIG" }));
  });
});

describe("deriveTargetName", () => {
  it.each([
    ["Staging_EU", "staging-eu"],
    ["kind-kind", "kind-kind"],
    ["gke_my-project_europe-west1_prod", "gke-my-project-europe-west1-prod"],
    ["--weird--", "weird"],
    ["🚀", "target"],
    ["a".repeat(70) + "-cluster", "a".repeat(55) + "-cluster"],
  ])("%s → %s", (input, expected) => {
    const name = deriveTargetName(input);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name.length).toBeLessThanOrEqual(63);
  });
});
