import { describe, expect, it } from "vitest";
import { notificationBody } from "@/lib/notifications/messages";
import { NOTIFICATION_EVENT_GROUPS, NOTIFICATION_EVENTS } from "@/lib/notifications/schemas";
import { deliveryRetryDelayMs } from "@/lib/notifications/send";
import { signatureFor, verifySignature } from "@/lib/notifications/signing";

const base = {
  credentialId: "c1",
  targetId: "t1",
  targetName: "prod <eu> & co",
  fingerprint: "0123456789ab",
  expiresAt: "2999-01-01T00:00:00.000Z",
};

describe("notificationBody", () => {
  it("is Slack-compatible: text, a mrkdwn section block, and the event's fields under wharf", () => {
    const body = notificationBody(
      { event: "rotation.due", data: { ...base, dueAt: "2026-05-01T12:00:00.000Z" } },
      "https://wharf.example.com",
    );
    expect(body.text).toContain("<https://wharf.example.com/targets/t1|prod &lt;eu&gt; &amp; co>");
    expect(body.text).toContain("2026-05-01 12:00 UTC");
    expect(body.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: body.text } }]);
    expect(body.wharf).toEqual({ event: "rotation.due", ...base, dueAt: "2026-05-01T12:00:00.000Z" });
  });

  it("says expired rather than overdue once the credential's expiry has passed", () => {
    const overdue = notificationBody(
      { event: "rotation.overdue", data: { ...base, dueAt: "2026-01-01T00:00:00.000Z" } },
      "http://x",
    );
    expect(overdue.text).toContain("overdue");
    const expired = notificationBody(
      { event: "rotation.overdue", data: { ...base, expiresAt: "2001-01-01T00:00:00.000Z" } },
      "http://x",
    );
    expect(expired.text).toContain("expired");
  });

  it("rotation.failed carries the server's message (escaped) and the next attempt", () => {
    const body = notificationBody(
      {
        event: "rotation.failed",
        data: {
          ...base,
          error: 'User "x" cannot create <token>',
          attempts: 3,
          nextAttemptAt: "2026-05-01T12:04:00.000Z",
        },
      },
      "http://x",
    );
    expect(body.text).toContain('User "x" cannot create &lt;token&gt;');
    expect(body.text).toContain("next attempt 2026-05-01 12:04 UTC");
    expect(body.wharf).toMatchObject({ event: "rotation.failed", attempts: 3 });
  });

  it("deployment.awaiting-approval links the deployment", () => {
    const body = notificationBody(
      {
        event: "deployment.awaiting-approval",
        data: {
          deploymentId: "d1",
          targetId: "t1",
          targetName: "prod",
          requestedBy: "dev@example.com",
          reason: "release 4",
          requiredApprovals: 2,
        },
      },
      "https://wharf.example.com",
    );
    expect(body.text).toBe(
      "<https://wharf.example.com/deployments/d1|Deployment> to prod awaits approval (2 required), requested by dev@example.com: release 4",
    );
  });

  it("a promotion's awaiting-approval says it is a promotion, from which environment to which, linking the application", () => {
    const body = notificationBody(
      {
        event: "deployment.awaiting-approval",
        data: {
          deploymentId: "d2",
          targetId: "t2",
          targetName: "edge-prod",
          requestedBy: "dev@example.com",
          reason: "Promote shop",
          requiredApprovals: 1,
          promotion: {
            linkPath: "/applications/a2",
            applicationId: "a2",
            applicationName: "shop <web>",
            fromTargetName: "web-staging",
            fromEnvironment: "staging",
            toEnvironment: "prod",
            revision: "0123456789abcdef0123456789abcdef01234567@d1",
          },
        },
      },
      "https://wharf.example.com",
    );
    expect(body.text).toBe(
      "Promotion of <https://wharf.example.com/applications/a2|shop &lt;web&gt;> from staging to prod awaiting approval " +
        "(0123456789ab): from web-staging to edge-prod, 1 approval required, requested by dev@example.com. " +
        "<https://wharf.example.com/deployments/d2|Review the request>",
    );
    // Machines get the application's link as the body's url, as for the other delivery events.
    expect(body.wharf).toMatchObject({ url: "https://wharf.example.com/applications/a2", deploymentId: "d2" });
  });
});

describe("signatures", () => {
  it("sha256=<hex HMAC of the raw body>; any change to body or secret fails verification", () => {
    const sig = signatureFor("whsec_test", '{"a":1}');
    // Computed independently (Python hmac) for this body and secret.
    expect(sig).toBe("sha256=51426af50a41dd7ff2cd3f116594734766d4018d15d6fb07169aee5d2959adf5");
    expect(verifySignature("whsec_test", '{"a":1}', sig)).toBe(true);
    expect(verifySignature("whsec_test", '{"a":2}', sig)).toBe(false);
    expect(verifySignature("whsec_other", '{"a":1}', sig)).toBe(false);
    expect(verifySignature("whsec_test", '{"a":1}', null)).toBe(false);
    expect(verifySignature("whsec_test", '{"a":1}', "sha256=00")).toBe(false);
  });
});

describe("deliveryRetryDelayMs", () => {
  it("from 30 s doubling to at most 1 h, jittered in the upper half", () => {
    expect(deliveryRetryDelayMs(1, () => 1)).toBe(30_000);
    expect(deliveryRetryDelayMs(1, () => 0)).toBe(15_000);
    expect(deliveryRetryDelayMs(3, () => 1)).toBe(120_000);
    expect(deliveryRetryDelayMs(30, () => 1)).toBe(3_600_000);
    expect(deliveryRetryDelayMs(30, () => 0)).toBe(1_800_000);
  });
});

describe("paged-on events (issue 15)", () => {
  const delivery = {
    linkPath: "/applications/a1",
    applicationId: "a1",
    applicationName: "storefront",
    targetId: "t1",
    targetName: "shop-prod",
    environment: "prod",
    revision: "0123456789abcdef0123456789abcdef01234567",
    message: "",
  };

  it("deployment.failed names application, target, environment and short commit, links the application, quotes the error", () => {
    const body = notificationBody(
      {
        event: "deployment.failed",
        data: { ...delivery, deploymentId: "d1", mode: "push", requestedBy: "ada", message: "403 <Forbidden>" },
      },
      "https://wharf.example.com",
    );
    expect(body.text).toBe(
      "Deployment of <https://wharf.example.com/applications/a1|storefront> on shop-prod (prod) at 0123456789ab failed: 403 &lt;Forbidden&gt;",
    );
    expect(body.wharf).toMatchObject({ event: "deployment.failed", url: "https://wharf.example.com/applications/a1" });
  });

  it("without an application the link is labelled by what it opens; drift lists its first objects and fields", () => {
    const body = notificationBody(
      {
        event: "drift.detected",
        data: {
          ...delivery,
          applicationId: null,
          applicationName: null,
          linkPath: "/sync?repoId=r1&targetId=t1",
          syncEventId: "e1",
          mode: "pull",
          repoId: "r1",
          repoUrl: "https://git.example/shop.git",
          branch: "main",
          occurredAt: "2026-03-01T12:00:00.000Z",
          drift: [
            { object: "Deployment web/api", fields: ["spec.replicas"] },
            { object: "ConfigMap web/settings", fields: ["data.a", "data.b"] },
          ],
        },
      },
      "http://x",
    );
    expect(body.text).toContain("<http://x/sync?repoId=r1&targetId=t1|https://git.example/shop.git>");
    expect(body.text).toContain("2 objects changed in the cluster, Deployment web/api (spec.replicas)");
    expect(body.text).toContain("ConfigMap web/settings (data.a, data.b)");
  });

  it("agent.stale says since when and what stops syncing", () => {
    const body = notificationBody(
      {
        event: "agent.stale",
        data: {
          linkPath: "/targets/t1",
          agentId: "ag1",
          agentName: "edge-1",
          lastSeenAt: "2026-03-01T12:00:00.000Z",
          targets: [{ id: "t1", name: "web-staging", environment: "staging" }],
        },
      },
      "http://x",
    );
    expect(body.text).toBe(
      "Agent <http://x/targets/t1|edge-1> has not reported since 2026-03-01 12:00 UTC: nothing syncs on web-staging (staging) until it is back.",
    );
  });

  it("health.degraded says the application is Degraded and names its Degraded objects with their reasons", () => {
    const body = notificationBody(
      {
        event: "health.degraded",
        data: {
          ...delivery,
          message: "1 of 2 pods crash",
          degraded: [{ object: "Pod shop/web-1", message: "CrashLoopBackOff" }],
        },
      },
      "http://x",
    );
    expect(body.text).toBe(
      "<http://x/applications/a1|storefront> on shop-prod (prod) at 0123456789ab is Degraded: 1 of 2 pods crash. Degraded: Pod shop/web-1 (CrashLoopBackOff).",
    );
  });

  it("the sink form's groups hold every event exactly once", () => {
    const grouped = NOTIFICATION_EVENT_GROUPS.flatMap((g) => g.events);
    expect([...grouped].sort()).toEqual([...NOTIFICATION_EVENTS].sort());
  });
});
