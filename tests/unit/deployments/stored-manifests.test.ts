import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mayDownloadManifests } from "@/lib/deployments/applied-manifests";
import { compressManifests, manifestsBytesOf, manifestsTextOf } from "@/lib/deployments/stored-manifests";

describe("stored manifests", () => {
  it("round-trips the exact bytes (comments, CRLF, non-ASCII) through gzip, with the SHA-256 of those bytes", () => {
    const text = "# keep me\r\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 'héllo'}\n\n";
    const stored = compressManifests(text);
    expect(stored.manifests).toBe("");
    expect(manifestsTextOf(stored)).toBe(text);
    expect(manifestsBytesOf(stored).equals(Buffer.from(text, "utf8"))).toBe(true);
    expect(stored.manifestsSha256).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
  });

  it("reads a row stored before compression from its text column", () => {
    expect(manifestsTextOf({ manifests: "kind: ConfigMap\n", manifestsGz: null })).toBe("kind: ConfigMap\n");
  });
});

describe("who may download a deployment's manifests", () => {
  const deployment = { requestedById: "u-requester" };
  it("lets approvers, admins and the requester download, and refuses viewers and other deployers", () => {
    expect(mayDownloadManifests({ userId: "u1", role: "approver" }, deployment)).toBe(true);
    expect(mayDownloadManifests({ userId: "u2", role: "admin" }, deployment)).toBe(true);
    expect(mayDownloadManifests({ userId: "u-requester", role: "deployer" }, deployment)).toBe(true);
    expect(mayDownloadManifests({ userId: "u3", role: "deployer" }, deployment)).toBe(false);
    expect(mayDownloadManifests({ userId: "u4", role: "viewer" }, deployment)).toBe(false);
  });
});
