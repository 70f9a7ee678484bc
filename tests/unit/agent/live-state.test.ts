import { describe, expect, it } from "vitest";
import { AgentError } from "@/lib/agent/errors";
import { liveStateDigest, liveStateOf, LiveStateReporter } from "@/lib/agent/live-state";
import { selectorText } from "@/lib/kube";
import { LIVE_STATES_BATCH_MAX, ZLiveState, type TLiveState, type TLiveStateRequest } from "@/lib/agent/protocol";
import type { WharfClient } from "@/lib/agent/wharf-client";
import type { KubeObject } from "@/lib/kube";

function fakeWharf(answer: (body: TLiveStateRequest) => void = () => undefined) {
  const calls: TLiveStateRequest[] = [];
  const client = {
    sendLiveStates: async (body: TLiveStateRequest) => {
      calls.push(structuredClone(body));
      answer(body);
      return { changed: body.states.length, unchanged: 0, ignored: 0 };
    },
  } as unknown as WharfClient;
  return { client, calls };
}

const deployment = (name: string, ready: number): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "shop", uid: `uid-${name}`, generation: 1, annotations: { big: "x".repeat(100) } },
  spec: { replicas: 1, selector: { matchLabels: { app: name } } },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: ready },
});

function stateOf(repoId: string, ready = 1): TLiveState {
  const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" };
  return liveStateOf(
    { targetId: "t1", repoId, revisionId: "abc@d", inventory: [ref] },
    { objects: [deployment("web", ready)], unreadable: new Map() },
  );
}

const settle = () => new Promise((r) => setTimeout(r, 120));

describe("agent live state", () => {
  it("turns owners' selectors into label selector text, never an empty selector", () => {
    expect(selectorText({ matchLabels: { app: "web", tier: "fe" } })).toBe("app=web,tier=fe");
    expect(
      selectorText({
        matchExpressions: [
          { key: "env", operator: "In", values: ["a", "b"] },
          { key: "x", operator: "NotIn", values: ["c"] },
          { key: "y", operator: "Exists" },
          { key: "z", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("env in (a,b),x notin (c),y,!z");
    expect(selectorText({})).toBeNull();
    expect(selectorText(undefined)).toBeNull();
  });

  it("builds a protocol-valid state without uids or annotations; the digest ignores the read time", () => {
    const a = stateOf("r1");
    expect(ZLiveState.safeParse(a).success).toBe(true);
    expect(JSON.stringify(a)).not.toMatch(/uid|annotations/);
    expect(a.health.status).toBe("Healthy");
    const later = { ...a, observedAt: new Date(Date.now() + 60_000).toISOString() };
    expect(liveStateDigest(later)).toBe(liveStateDigest(a));
    expect(liveStateDigest(stateOf("r1", 0))).not.toBe(liveStateDigest(a));
    // An inventory object that could not be read is Unknown with why, not Missing.
    const unreadable = liveStateOf(
      {
        targetId: "t1",
        repoId: "r1",
        revisionId: null,
        inventory: [{ apiVersion: "v1", kind: "Secret", namespace: "shop", name: "s" }],
      },
      { objects: [], unreadable: new Map([["/Secret/shop/s", "forbidden"]]) },
    );
    expect(unreadable.roots[0]!.health).toEqual({ status: "Unknown", message: "Could not be read: forbidden" });
    expect(unreadable.health.status).toBe("Unknown");
  });

  it("sends 200 applications in batches of at most 50, once per change: identical states are not resent", async () => {
    const wharf = fakeWharf();
    const reporter = new LiveStateReporter(wharf.client, () => undefined, { baseDelayMs: 10, maxDelayMs: 50 });
    for (let i = 0; i < 200; i++) reporter.report(stateOf(`r${i}`));
    await settle();
    expect(wharf.calls.map((c) => c.states.length)).toEqual([50, 50, 50, 50]);
    expect(wharf.calls.every((c) => c.states.length <= LIVE_STATES_BATCH_MAX)).toBe(true);
    expect(reporter.sentCount).toBe(200);
    // Re-read, nothing changed: nothing sent.
    for (let i = 0; i < 200; i++) expect(reporter.report(stateOf(`r${i}`))).toBe(false);
    // One application changes three times before the flush: one report, its newest state.
    reporter.report(stateOf("r7", 0));
    reporter.report(stateOf("r7", 1));
    reporter.report(stateOf("r7", 0));
    await settle();
    expect(wharf.calls).toHaveLength(5);
    expect(wharf.calls[4]!.states).toHaveLength(1);
    expect(wharf.calls[4]!.states[0]!.health.status).toBe("Progressing");
    expect(reporter.sentCount).toBe(201);
    await reporter.stop();
  });

  it("keeps the newest state per application while Wharf is down and drops what Wharf refuses for good", async () => {
    let mode: "down" | "up" | "refuse" = "down";
    const wharf = fakeWharf(() => {
      if (mode === "down") throw new AgentError("WHARF_UNREACHABLE", "down");
      if (mode === "refuse") throw new AgentError("WHARF_FORBIDDEN", "no", { details: { status: 403 } });
    });
    const logs: string[] = [];
    const reporter = new LiveStateReporter(wharf.client, (l) => logs.push(l), { baseDelayMs: 20, maxDelayMs: 40 });
    reporter.report(stateOf("r1", 0));
    await settle();
    expect(reporter.pending).toBe(1);
    reporter.report(stateOf("r1", 1));
    mode = "up";
    await new Promise((r) => setTimeout(r, 200));
    expect(reporter.pending).toBe(0);
    const delivered = wharf.calls.filter((c) => c.states.length).at(-1)!;
    expect(delivered.states[0]!.health.status).toBe("Healthy");
    expect(reporter.sentCount).toBe(1);

    mode = "refuse";
    reporter.report(stateOf("r2"));
    await settle();
    expect(reporter.pending).toBe(0);
    expect(reporter.sentCount).toBe(1);
    expect(logs.join("\n")).toMatch(/refused the state of repo r2/);
    await reporter.stop();
  });
});
