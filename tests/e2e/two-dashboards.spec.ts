import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import {
  pgAdminUrl,
  pgReachable,
  sleep,
  startTwoDashboards,
  waitFor,
  type Seeded,
  type TwoDashboards,
} from "../support/two-dashboards";

// Two real `next start` processes on one PostgreSQL database, as behind a load balancer: deployments requested
// through either process run exactly once, by whichever executor claims them, a due credential is rotated once
// though both schedulers look, and an agent's long poll held by one process answers a change made through the other
// (LISTEN/NOTIFY, with the once-a-second re-check behind it). Lives with the e2e specs because the Playwright webServer (`npm start`) has built
// `.next` by the time it runs; it uses nothing else of that server. Node-side only, no browser. The processes, their
// database and the sandbox they deploy to are started by tests/support/two-dashboards.ts (also the many-dashboards
// benchmark's).
const DEPLOYMENTS = 8;

test.describe("two dashboard processes on one PostgreSQL", () => {
  test.setTimeout(300_000);

  let started: TwoDashboards | undefined;
  let seeded: Seeded;
  let bases: string[] = [];

  const diagnostics = () => started?.diagnostics() ?? "";
  /** An API call as the seeded admin's token through dashboard `i % 2`. */
  const api = async (i: number, method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${bases[i % 2]}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${seeded.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };

  test.afterAll(async () => {
    await started?.stop();
  });

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    if (!process.env.WHARF_TEST_PG_URL && !(await pgReachable())) {
      test.skip(true, `PostgreSQL is not reachable at ${pgAdminUrl} and WHARF_TEST_PG_URL is unset`);
      return;
    }
    started = await startTwoDashboards({
      targets: DEPLOYMENTS,
      env: { WHARF_EXECUTOR_POLL_INTERVAL: "200ms", WHARF_ROTATION_INTERVAL: "5s" },
    });
    ({ seeded, bases } = started);
  });

  test("run each deployment exactly once and rotate a due credential once", async () => {
    // 4. Deployments requested alternately through each process, one per target (a newer one would supersede a queued
    // one on the same target); the targets need no approvals, so they queue at once.
    const ids: string[] = [];
    expect(seeded.targets).toHaveLength(DEPLOYMENTS);
    for (const [i, { targetId, namespace }] of seeded.targets.entries()) {
      const manifests = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two-dashboards-${i}\n  namespace: ${namespace}\ndata:\n  n: "${i}"\n`;
      const res = await api(i, "POST", "/api/deployments", {
        targetId,
        source: { kind: "manifests", manifests },
        reason: `two dashboards #${i}`,
      });
      expect(res.status, `${JSON.stringify(res.json)}\n${diagnostics()}`).toBe(201);
      ids.push(res.json.id as string);
    }
    for (const [i, id] of ids.entries()) {
      const state = await waitFor(
        `deployment ${id} did not finish`,
        120_000,
        async () => {
          const res = await api(i + 1, "GET", `/api/deployments/${id}`);
          const s = res.json?.state as string | undefined;
          return s && ["succeeded", "failed", "cancelled", "rejected", "superseded"].includes(s) ? s : undefined;
        },
        diagnostics,
      );
      expect(state, id).toBe("succeeded");
    }

    const started = await api(0, "GET", `/api/audit?action=deployment.started&limit=200`);
    expect(started.status).toBe(200);
    const startedIds = (started.json.items as { subjectId: string | null }[]).map((e) => e.subjectId);
    for (const id of ids)
      expect(
        startedIds.filter((s) => s === id),
        `deployment.started rows for ${id}`,
      ).toHaveLength(1);

    const claimers = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const progress = await api(i, "GET", `/api/deployments/${id}/progress`);
      expect(progress.status).toBe(200);
      const starts = (progress.json.logs as { message: string }[])
        .map((l) => /^Started by executor (\S+?)\.?$/.exec(l.message)?.[1])
        .filter((x): x is string => !!x);
      expect(starts, `executor starts logged for ${id}`).toHaveLength(1);
      claimers.add(starts[0]!);
    }
    // Leases may let one process win every claim; that is allowed, a second run of one deployment is not.
    test
      .info()
      .annotations.push({ type: "claimers", description: `${claimers.size} executor(s): ${[...claimers].join(", ")}` });

    // 5. A burst on ONE target through both processes: each new request supersedes queued older ones while the
    // executors finish others. Before the chain-lock ordering (lockAuditChain) this deadlocked on PostgreSQL and
    // answered 500 in every run; now every request is accepted and each ends succeeded or superseded.
    const burst: string[] = [];
    const first = seeded.targets[0]!;
    for (let i = 0; i < 16; i++) {
      const manifests = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: burst\n  namespace: ${first.namespace}\ndata:\n  n: "${i}"\n`;
      const res = await api(i, "POST", "/api/deployments", {
        targetId: first.targetId,
        source: { kind: "manifests", manifests },
        reason: `burst #${i}`,
      });
      expect(res.status, `${JSON.stringify(res.json)}\n${diagnostics()}`).toBe(201);
      burst.push(res.json.id as string);
    }
    for (const [i, id] of burst.entries()) {
      const state = await waitFor(
        `burst deployment ${id} did not finish`,
        120_000,
        async () => {
          const s = (await api(i, "GET", `/api/deployments/${id}`)).json?.state as string | undefined;
          return s && ["succeeded", "failed", "cancelled", "rejected", "superseded"].includes(s) ? s : undefined;
        },
        diagnostics,
      );
      expect(["succeeded", "superseded"], `${id}\n${diagnostics()}`).toContain(state);
    }

    // 6. The due credential is rotated once, though both schedulers look (interval 5 s).
    await waitFor(
      "the due credential was not rotated",
      60_000,
      async () => {
        const res = await api(0, "GET", `/api/audit?action=credential.rotated&limit=200`);
        return (res.json.items as { targetId: string | null }[]).some((e) => e.targetId === seeded.rotatingTargetId)
          ? true
          : undefined;
      },
      diagnostics,
    );
    await sleep(6_000); // at least one more pass of each scheduler
    const rotated = await api(1, "GET", `/api/audit?action=credential.rotated&limit=200`);
    expect(
      (rotated.json.items as { targetId: string | null }[]).filter((e) => e.targetId === seeded.rotatingTargetId),
    ).toHaveLength(1);
  });

  test("an agent's long poll held by one process answers a change made through the other", async () => {
    // A pull target and its agent, created through dashboard 0; the agent enrols through dashboard 1.
    const suffix = randomBytes(4).toString("hex");
    const target = await api(0, "POST", "/api/targets", {
      name: `pull-${suffix}`,
      environment: "dev",
      mode: "pull",
      serverUrl: "https://127.0.0.1:6443",
    });
    expect(target.status, JSON.stringify(target.json)).toBe(201);
    const created = await api(0, "POST", "/api/agents", { name: `agent-${suffix}`, targetIds: [target.json.id] });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const enrolled = await fetch(`${bases[1]}/api/agent/v1/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enrolmentToken: created.json.secret, hostname: "e2e", version: "0.0.0-e2e" }),
    });
    expect(enrolled.status).toBe(201);
    let credential = ((await enrolled.json()) as { credential: string }).credential;

    /** The agent's assignments request to dashboard `i`, as the agent sends it (raw HTTP, its bearer credential). */
    const assignments = async (i: number, query = ""): Promise<{ status: number; json: any }> => {
      const res = await fetch(`${bases[i]}/api/agent/v1/assignments${query}`, {
        headers: { authorization: `Bearer ${credential}` },
      });
      return { status: res.status, json: await res.json() };
    };
    /**
     * Holds a long poll (up to 25 s) on dashboard `held`, makes sure it is still waiting, then runs `change` (through
     * the other dashboard) and returns the poll's answer. Nothing else changes the agent's assignments meanwhile, so
     * the only way this poll answers before its timeout is a wake-up from the other process.
     */
    const heldThrough = async (held: number, change: () => Promise<void>) => {
      const { json } = await assignments(held);
      const poll = assignments(held, `?since=${json.version}&wait=25`);
      const early = await Promise.race([poll.then(() => "answered"), sleep(1_500).then(() => "waiting")]);
      expect(early, "the long poll answered before anything changed").toBe("waiting");
      const changedAt = Date.now();
      await change();
      const answer = await poll;
      // Reported, not asserted: with NOTIFY the answer follows the change's response by milliseconds; with only the
      // once-a-second re-check it would take up to a second.
      test.info().annotations.push({
        type: "long-poll wake",
        description: `held by dashboard ${held}: answered ${Date.now() - changedAt} ms after the change began`,
      });
      return answer;
    };

    // Held by dashboard 0, a repository registered through dashboard 1.
    let repoId = "";
    const registered = await heldThrough(0, async () => {
      const res = await api(1, "POST", `/api/targets/${target.json.id}/repos`, {
        url: `https://git.example.test/team/${suffix}.git`,
      });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      repoId = res.json.id as string;
    });
    expect(registered.status).toBe(200);
    expect(registered.json.changed).toBe(true);
    expect(registered.json.targets[0].repos.map((r: { repoId: string }) => r.repoId)).toEqual([repoId]);

    // The other way round: held by dashboard 1, the repository changed through dashboard 0.
    const updated = await heldThrough(1, async () => {
      const res = await api(0, "PATCH", `/api/repos/${repoId}`, { pollIntervalSeconds: 30 });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
    });
    expect(updated.status).toBe(200);
    expect(updated.json.changed).toBe(true);
    expect(updated.json.targets[0].repos[0].pollIntervalSeconds).toBe(30);

    // A credential rotated through dashboard 1 ends the poll dashboard 0 holds with it.
    const ended = await heldThrough(0, async () => {
      const res = await api(1, "POST", `/api/agents/${created.json.agent.id}/rotate`);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      credential = res.json.secret as string;
    });
    expect(ended.status).toBe(401);
    expect(ended.json.error.code).toBe("AGENT_UNAUTHENTICATED");
    expect((await assignments(0)).status).toBe(200);
  });
});
