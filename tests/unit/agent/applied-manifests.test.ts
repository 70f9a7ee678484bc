import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { appliedManifestsText, manifestsSha256, ManifestsSpool } from "@/lib/agent/applied-manifests";
import { compressManifests } from "@/lib/deployments/stored-manifests";
import type { KubeObject } from "@/lib/kube";

const objects: KubeObject[] = [
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "ns" }, data: { greeting: "héllo" } },
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "ns" },
    spec: { replicas: 2, template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
  },
];

describe("applied manifests (pull agent)", () => {
  it("writes the applied objects as multi-document YAML, the same bytes for the same objects", () => {
    const text = appliedManifestsText(objects);
    expect(YAML.parseAllDocuments(text).map((d) => d.toJS())).toEqual(objects);
    expect(appliedManifestsText(structuredClone(objects))).toBe(text);
    // The push side files its manifests under the same digest of the same bytes.
    expect(compressManifests(text).manifestsSha256).toBe(manifestsSha256(Buffer.from(text, "utf8")));
  });

  it("keeps one gzip per digest until removed, and prunes what no event names", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-spool-"));
    const spool = new ManifestsSpool(dir);
    const ref = spool.keep(objects);
    const text = Buffer.from(appliedManifestsText(objects), "utf8");
    expect(ref).toEqual({ sha256: manifestsSha256(text), bytes: text.length });
    expect(gunzipSync(spool.read(ref.sha256)!).equals(text)).toBe(true);
    expect(spool.keep(objects)).toEqual(ref);
    expect(fs.readdirSync(dir)).toEqual([`${ref.sha256}.yaml.gz`]);

    const other = spool.keep([objects[0]!]);
    fs.writeFileSync(path.join(dir, "torn.yaml.gz.tmp"), "x");
    spool.prune(new Set([other.sha256]));
    expect(fs.readdirSync(dir)).toEqual([`${other.sha256}.yaml.gz`]);
    spool.remove(other.sha256);
    expect(spool.read(other.sha256)).toBeUndefined();
  });

  it("still names the manifests when they cannot be kept (a full disk loses the text, not the digest)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-spool-"));
    const spool = new ManifestsSpool(dir);
    fs.rmSync(dir, { recursive: true });
    const errors: unknown[] = [];
    const ref = spool.keep(objects, (err) => errors.push(err));
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(errors).toHaveLength(1);
  });
});
