import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LiveStateCard } from "@/components/applications/live-state-card";
import type { TLiveNode } from "@/lib/agent/protocol";
import type { ApplicationLive } from "@/lib/applications/live-schemas";
import { applicationKeys } from "@/lib/applications/query";
import type { ApplicationView } from "@/lib/applications/schemas";

// Issue 15, Must 2: the live card says where its state comes from, as the server renders it — push: read from the
// cluster with the named credential (a credential use, never hidden), with the drift against the last deployment and
// a failed read in words; pull: reported by the named agent.

const web: TLiveNode = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  namespace: "shop",
  name: "web",
  health: { status: "Healthy" },
  inInventory: true,
  children: [],
};
const times = {
  observedAt: "2026-12-06T18:00:00.000Z",
  receivedAt: "2026-12-06T18:00:00.000Z",
  confirmedAt: "2026-12-06T18:00:00.000Z",
};
const tree = { health: { status: "Healthy" as const }, roots: [web], nodeCount: 1, truncated: false, ...times };

function render(mode: "push" | "pull", live: ApplicationLive): string {
  const client = new QueryClient();
  client.setQueryData(applicationKeys.live("app-1"), live);
  const app = { id: "app-1", name: "web", mode } as ApplicationView;
  // React separates adjacent text parts with comments; the assertions read the text as people see it.
  return renderToString(
    createElement(QueryClientProvider, { client }, createElement(LiveStateCard, { app })),
  ).replaceAll("<!-- -->", "");
}

const push = (over: Partial<Extract<ApplicationLive, { source: "push" }>> = {}): ApplicationLive => ({
  source: "push",
  mode: "push",
  credentialId: "cred-1",
  credentialLabel: "payments-prod deployer",
  revisionId: "dep-1",
  ...tree,
  readError: null,
  readAttemptAt: times.observedAt,
  drift: { objects: [], truncated: false },
  ...over,
});

describe("live state card: where the state comes from", () => {
  it("push: names the credential it was read with, and says it is in sync with the last deployment", () => {
    const html = render("push", push());
    expect(html).toContain("Read from the cluster with payments-prod deployer (push)");
    expect(html).toContain("In sync with the manifests of the last deployment.");
    expect(html).not.toContain("Reported by agent");
    expect(html).not.toContain('role="alert"');
  });

  it("push: lists what drifted, and a failed read as an alert", () => {
    const html = render(
      "push",
      push({
        drift: {
          objects: [
            {
              ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
              fields: ["spec.replicas"],
            },
          ],
          truncated: false,
        },
        readError: "connect ECONNREFUSED 10.0.0.1:6443",
      }),
    );
    expect(html).toContain("Drift: 1 object differs from the last deployment");
    expect(html).toContain("Deployment shop/web: spec.replicas");
    expect(html).toMatch(/role="alert"[^>]*>The last read failed.*connect ECONNREFUSED 10\.0\.0\.1:6443/);
  });

  it("push: a drift check that failed says it was not checked", () => {
    expect(render("push", push({ drift: null }))).toContain("Drift: not checked");
  });

  it("pull: names the agent that reported it", () => {
    const html = render("pull", {
      source: "agent",
      mode: "pull",
      reported: true,
      agentId: "agent-1",
      agentName: "edge-agent",
      revisionId: "rev-1",
      ...tree,
    });
    expect(html).toContain("Reported by agent edge-agent (pull)");
    expect(html).not.toContain("Read from the cluster");
    expect(html).not.toContain("Drift:");
  });
});
