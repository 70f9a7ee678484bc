import { beforeAll, describe, expect, it } from "vitest";
import * as importRoute from "@/app/api/targets/import/route";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";
import { dumpWholeDatabase, secretForms, threeContextKubeconfig } from "../unit/credentials/fixtures";

const t = useTestDatabase();
const db = () => dbFor(t.url);
const fx = threeContextKubeconfig();
const EKS = "arn:aws:eks:eu-west-1:123456789012:cluster/Prod";
const KEY_BODY = fx.cert.keyPem.split("\n").slice(1, -2).join("");
let admin: Caller;
let deployer: Caller;

function importCall(body: unknown, as: Caller = admin) {
  return callRoute(importRoute.POST, { method: "POST", path: "/api/targets/import", body, as });
}

async function counts() {
  return {
    targets: await db().target.count(),
    credentials: await db().credential.count(),
    audit: await db().auditEvent.count(),
  };
}

beforeAll(async () => {
  admin = await createCaller("admin");
  deployer = await createCaller("deployer");
});

describe("POST /api/targets/import", () => {
  it("dryRun previews every context without secrets and writes nothing", async () => {
    const before = await counts();
    const res = await importCall({ kubeconfig: fx.yaml, dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body.contexts).toHaveLength(3);
    expect(res.body.contexts.map((c: { suggestedName: string }) => c.suggestedName)).toEqual([
      "staging-eu",
      "prod-admin",
      "arn-aws-eks-eu-west-1-123456789012-cluster-prod",
    ]);
    expect(res.body.contexts[0]).toMatchObject({
      isCurrent: true,
      hasCaBundle: true,
      credential: { kind: "service-account-token" },
    });
    expect(res.body.contexts[2]).toMatchObject({
      credential: null,
      credentialNote: expect.stringMatching(/exec plugin/),
    });
    for (const s of [fx.token, KEY_BODY]) expect(res.text).not.toContain(s);
    expect(await counts()).toEqual(before);
  });

  it("only admins may import", async () => {
    expect((await importCall({ kubeconfig: fx.yaml, dryRun: true }, deployer)).status).toBe(403);
  });

  it("creates one target per context, credentials for push targets with importable users, all audited", async () => {
    const before = await counts();
    const res = await importCall({
      kubeconfig: fx.yaml,
      contexts: [
        { context: "Staging_EU", mode: "push", environment: "staging" },
        { context: "prod-admin", mode: "push", environment: "prod", name: "prod-eu" },
        { context: EKS, mode: "push", environment: "prod" },
      ],
    });
    expect(res.status).toBe(201);
    for (const s of [fx.token, KEY_BODY]) expect(res.text).not.toContain(s);
    const [staging, prod, eks] = res.body.targets as { id: string; name: string; credentialId: string | null }[];
    expect(staging).toMatchObject({ name: "staging-eu", credentialId: expect.any(String) });
    expect(prod).toMatchObject({ name: "prod-eu", credentialId: expect.any(String) });
    expect(eks).toMatchObject({ name: "arn-aws-eks-eu-west-1-123456789012-cluster-prod", credentialId: null });

    const stagingRow = await db().target.findUniqueOrThrow({ where: { id: staging?.id } });
    expect(stagingRow).toMatchObject({
      mode: "push",
      environment: "staging",
      serverUrl: "https://10.0.0.1:6443",
      defaultNamespace: "apps",
      requiredApprovals: 0,
      insecureSkipTlsVerify: false,
    });
    expect(stagingRow.caBundle?.trim()).toBe(fx.ca.trim());
    expect(await db().target.findUniqueOrThrow({ where: { id: prod?.id } })).toMatchObject({
      serverUrl: "https://prod.example.com:6443",
      requiredApprovals: 1,
    });
    expect(await db().target.findUniqueOrThrow({ where: { id: eks?.id } })).toMatchObject({
      insecureSkipTlsVerify: true,
      caBundle: null,
    });

    const creds = await db().credential.findMany({
      where: { targetId: { in: [staging?.id ?? "", prod?.id ?? ""] } },
      orderBy: { kind: "asc" },
    });
    expect(creds.map((c) => [c.kind, c.state])).toEqual([
      ["client-certificate", "active"],
      ["service-account-token", "active"],
    ]);
    expect(creds.find((c) => c.kind === "service-account-token")?.subject).toBe("system:serviceaccount:wharf:deployer");
    expect(await counts()).toEqual({
      targets: before.targets + 3,
      credentials: before.credentials + 2,
      audit: before.audit + 5,
    });
    expect(await db().auditEvent.count({ where: { action: "target.created" } })).toBe(3);
    expect(await db().auditEvent.count({ where: { action: "credential.stored" } })).toBe(2);

    // The imported material is the kubeconfig's, sealed: it decrypts to exactly what was pasted.
    const material = await withDecryptedCredential(
      staging?.credentialId ?? "",
      { actor: SYSTEM_ACTOR, purpose: { kind: "preview", id: "import-test" }, request: NO_REQUEST },
      (m) => m,
    );
    expect(material).toEqual({ kind: "service-account-token", token: fx.token });
    const { text } = await dumpWholeDatabase(db(), t.kind);
    for (const s of [fx.token, KEY_BODY]) for (const form of secretForms(s)) expect(text).not.toContain(form);
  });

  it("a pull target gets no credential even when the user has one", async () => {
    const res = await importCall({
      kubeconfig: fx.yaml,
      contexts: [{ context: "prod-admin", mode: "pull", environment: "dev", name: "pulled-one" }],
    });
    expect(res.status).toBe(201);
    expect(res.body.targets[0]).toMatchObject({ name: "pulled-one", credentialId: null });
    expect(await db().credential.count({ where: { targetId: res.body.targets[0].id } })).toBe(0);
  });

  it("409 naming every clash, and nothing is created (all or nothing)", async () => {
    const before = await counts();
    const res = await importCall({
      kubeconfig: fx.yaml,
      contexts: [
        { context: "Staging_EU", mode: "push", environment: "staging", name: "fresh-name" },
        { context: "prod-admin", mode: "push", environment: "prod", name: "prod-eu" },
        { context: EKS, mode: "pull", environment: "prod" },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("NAME_TAKEN");
    expect(res.body.error.message).toContain("prod-eu");
    expect(res.body.error.message).toContain("arn-aws-eks-eu-west-1-123456789012-cluster-prod");
    expect(Object.keys(res.body.error.fields)).toEqual(["contexts.1.name", "contexts.2.name"]);
    expect(await counts()).toEqual(before);
    expect(await db().target.count({ where: { name: "fresh-name" } })).toBe(0);
  });

  it.each([
    ["an unknown context", { contexts: [{ context: "nope", mode: "push", environment: "dev" }] }, "contexts.0.context"],
    [
      "two contexts mapped to one name",
      {
        contexts: [
          { context: "Staging_EU", mode: "push", environment: "dev", name: "same" },
          { context: "prod-admin", mode: "push", environment: "dev", name: "same" },
        ],
      },
      "contexts.1.name",
    ],
    [
      "an invalid name",
      { contexts: [{ context: "Staging_EU", mode: "push", environment: "dev", name: "Not_Valid" }] },
      "contexts.0.name",
    ],
    ["no contexts", { contexts: [] }, "contexts"],
  ])("422 for %s, pointing at the field", async (_name, body, field) => {
    const before = await counts();
    const res = await importCall({ kubeconfig: fx.yaml, ...body });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it("422 for a context whose CA is a file path, and for text that is not a kubeconfig", async () => {
    const withFile = fx.yaml.replace(
      /certificate-authority-data: .*\n/,
      "certificate-authority: /etc/kubernetes/ca.crt\n",
    );
    const res = await importCall({
      kubeconfig: withFile,
      contexts: [{ context: "Staging_EU", mode: "push", environment: "dev", name: "ca-file" }],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.fields["contexts.0.context"].join(" ")).toMatch(/cannot read/);
    const junk = await importCall({ kubeconfig: "just: [text", dryRun: true });
    expect(junk.status).toBe(422);
    expect(junk.body.error.code).toBe("INVALID_KUBECONFIG");
  });
});
