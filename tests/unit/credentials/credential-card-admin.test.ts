import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ActiveCredential } from "@/components/credentials/credential-panel";
import type { CredentialView } from "@/lib/credentials/schemas";

// The target's credential card (issue 16, Must 5) as the server renders it: its label, and next to a green rotation
// status the cluster-admin verdict as a warning, so an admin credential no longer reads as a bare "OK".
const BASE: CredentialView = {
  id: "c1",
  targetId: "t1",
  targetName: "payments-prod",
  label: "payments-prod service-account-token",
  clusterAdmin: null,
  kind: "service-account-token",
  state: "active",
  fingerprint: "sha256:ab12",
  subject: "system:serviceaccount:kube-system:wharf",
  keyId: "k1",
  issuedAt: null,
  expiresAt: null,
  lastRotatedAt: "2026-12-01T10:00:00.000Z",
  createdAt: "2026-12-01T10:00:00.000Z",
  supersededAt: null,
  supersededById: null,
  status: "ok",
  nextRotationDue: null,
  policyName: null,
  origin: "stored",
  rotationError: null,
  rotationFailedAt: null,
  rotationAttempts: 0,
  nextRotationAttemptAt: null,
  autoRotate: false,
  policyMaxAgeDays: null,
  nextRotationAt: null,
};

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
const render = (c: CredentialView) => renderToString(createElement(ActiveCredential, { c }));

describe("the target's credential card", () => {
  it("says cluster-admin as a warning next to the OK status when the check flagged the credential", () => {
    const html = render({ ...BASE, clusterAdmin: true });
    expect(html).toContain('data-testid="cluster-admin-warning"');
    expect(text(html)).toContain("OK cluster-admin");
    expect(text(html)).toContain("Can do anything in the cluster; prefer a namespaced service account.");
    expect(text(html)).toContain("payments-prod service-account-token");
  });

  it("shows no warning for a namespaced credential or one never checked", () => {
    for (const clusterAdmin of [false, null]) {
      const html = render({ ...BASE, clusterAdmin, label: "deployer" });
      expect(html).not.toContain("cluster-admin");
      expect(text(html)).toContain("deployer");
    }
  });
});
