import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { NodeDetails, SyncBadge } from "@/components/applications/live-node-details";
import type { TLiveNode } from "@/lib/agent/protocol";

// Issue 15, Must 1: an expanded object of the resource tree as the server renders it — the drifted fields as
// `path applied → live by <manager>`, the OutOfSync badge with its glyph, and the object's Events.

const text = (html: string) =>
  html
    // React's text separators are not spaces a reader sees.
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, " ")
    .trim();

const deployment: TLiveNode = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  namespace: "shop",
  name: "web",
  health: { status: "Healthy" },
  inInventory: true,
  sync: {
    status: "OutOfSync",
    fields: [
      {
        path: "spec.replicas",
        applied: "3",
        live: "7",
        owner: { manager: "kubectl-edit", operation: "Update", time: "2026-12-06T11:30:00Z" },
      },
      { path: "metadata.labels.team", applied: "shop" },
    ],
    omittedFields: 4,
    truncated: true,
  },
  events: [
    {
      type: "Normal",
      reason: "ScalingReplicaSet",
      message: "Scaled up replica set web-5d4f from 3 to 7",
      count: 1,
      lastTime: "2026-12-06T11:30:01Z",
    },
    { type: "Warning", reason: "FailedCreate", message: "quota exceeded", count: 4 },
  ],
  children: [],
};

describe("an expanded object's details", () => {
  it("lists each drifted field as path applied → live by its manager, then the Events", () => {
    const html = renderToString(createElement(NodeDetails, { node: deployment }));
    const out = text(html);
    expect(out).toContain("Differs from what Wharf applied");
    expect(out).toMatch(/spec\.replicas 3 → changed to 7 by kubectl-edit \(Update\) 2026-12-06 11:30 UTC/);
    // A removed field: no live value and nobody owns it any more.
    expect(out).toContain("metadata.labels.team shop → changed to (removed) (no other field manager owns it)");
    expect(out).toContain("and 4 more fields not shown");
    expect(html).toContain('aria-label="Drifted fields of Deployment web"');
    expect(out).toContain("ScalingReplicaSet Scaled up replica set web-5d4f from 3 to 7");
    expect(out).toMatch(/Warning: FailedCreate quota exceeded ×4/);
    expect(html).toContain('aria-label="Events of Deployment web"');
    // The owner's time is a <time> element (relative in the browser, absolute on the server).
    expect(html).toMatch(/<time dateTime="2026-12-06T11:30:00/);
  });

  it("shows nothing for a Synced object without Events, and the badge reads by glyph and word", () => {
    const synced: TLiveNode = { ...deployment, sync: { status: "Synced", fields: [] }, events: [] };
    expect(renderToString(createElement(NodeDetails, { node: synced }))).toBe("");
    const badge = text(renderToString(createElement(SyncBadge, { sync: deployment.sync! })));
    expect(badge).toBe("≠ OutOfSync");
    expect(renderToString(createElement(SyncBadge, { sync: deployment.sync! }))).toContain(
      'title="6 fields differ from what Wharf applied"',
    );
    expect(text(renderToString(createElement(SyncBadge, { sync: { status: "Synced", fields: [] } })))).toBe("= Synced");
  });
});
