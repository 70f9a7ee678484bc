import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "@/lib/kube/sandbox";
import type { Sandbox } from "@/lib/kube/sandbox";
import { rawRequest } from "@/tests/support/sandbox";
import { deployment } from "./lib-support";

// YAML request bodies (kubectl sends application/yaml and apply-patch+yaml) go through the bounded parser
// (lib/kube/yaml.ts): aliases may not expand a body past 1 MiB. A real API server answers 400 for a body it cannot
// decode; so does the sandbox, instead of building the expansion. 20 aliases of a 200 KB string are 4 MB expanded —
// few enough aliases for `yaml`'s own maxAliasCount, small enough for the 3 MiB body limit.
let sandbox: Sandbox;
const CM = "/api/v1/namespaces/default/configmaps";

beforeAll(async () => {
  sandbox = await startSandbox({ rolloutDelayMs: 100 });
});

afterAll(async () => {
  await sandbox?.stop();
});

/** A ConfigMap whose unknown top-level field (dropped with a warning) repeats a 200 KB string `aliases` times. */
function configMapYaml(name: string, aliases: number): string {
  return [
    "apiVersion: v1",
    "kind: ConfigMap",
    `metadata: {name: ${name}}`,
    "xRepeated:",
    `  seed: &s "${"x".repeat(200_000)}"`,
    `  copies: [${Array.from({ length: aliases }, () => "*s").join(", ")}]`,
    "",
  ].join("\n");
}

const BOMB =
  /^(the object provided is unrecognized|error decoding YAML): YAML aliases \(here \*s\) expand this input by more than 1 MiB/;

describe("sandbox YAML bodies", () => {
  it("creates from YAML with a few aliases, and answers 400 for a body whose aliases expand past the bound, creating nothing", async () => {
    const ok = await rawRequest(sandbox, "POST", CM, {
      body: configMapYaml("aliases-ok", 2),
      contentType: "application/yaml",
    });
    expect(ok.status).toBe(201);

    const bomb = await rawRequest(sandbox, "POST", CM, {
      body: configMapYaml("aliases-bomb", 20),
      contentType: "application/yaml",
    });
    expect(bomb.status).toBe(400);
    expect(bomb.json).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
    expect(bomb.json.message).toMatch(BOMB);
    expect((await rawRequest(sandbox, "GET", `${CM}/aliases-bomb`)).status).toBe(404);
  });

  it("answers 400 for a server-side apply body whose aliases expand past the bound", async () => {
    const bomb = await rawRequest(sandbox, "PATCH", `${CM}/apply-bomb?fieldManager=test`, {
      body: configMapYaml("apply-bomb", 20),
      contentType: "application/apply-patch+yaml",
    });
    expect(bomb.status).toBe(400);
    expect(bomb.json.message).toMatch(BOMB);
    expect((await rawRequest(sandbox, "GET", `${CM}/apply-bomb`)).status).toBe(404);
  });

  it("answers 400 for an apply to the scale subresource whose aliases expand past the bound, and keeps the replicas", async () => {
    const created = await rawRequest(sandbox, "POST", "/apis/apps/v1/namespaces/default/deployments", {
      body: deployment("default", "scale-bomb"),
    });
    expect(created.status).toBe(201);
    const before = (await rawRequest(sandbox, "GET", "/apis/apps/v1/namespaces/default/deployments/scale-bomb/scale"))
      .json.spec.replicas as number;
    const scale = [
      "apiVersion: autoscaling/v1",
      "kind: Scale",
      "metadata: {name: scale-bomb}",
      `spec: {replicas: ${before + 1}}`,
      "",
    ].join("\n");
    const bomb = await rawRequest(
      sandbox,
      "PATCH",
      "/apis/apps/v1/namespaces/default/deployments/scale-bomb/scale?fieldManager=test",
      {
        body: configMapYaml("x", 20).replace(/^apiVersion: v1\nkind: ConfigMap\nmetadata: \{name: x\}\n/, scale),
        contentType: "application/apply-patch+yaml",
      },
    );
    expect(bomb.status).toBe(400);
    expect(bomb.json.message).toMatch(BOMB);
    expect(
      (await rawRequest(sandbox, "GET", "/apis/apps/v1/namespaces/default/deployments/scale-bomb/scale")).json.spec
        .replicas,
    ).toBe(before);
  });
});
