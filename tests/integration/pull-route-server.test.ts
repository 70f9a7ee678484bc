import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LONG_POLL_TIMEOUT_MS, ZAssignments, ZEnrolResponse } from "@/lib/agent/protocol";
import { createCaller, type Caller } from "../support/api";
import { PULL_ROUTES } from "../support/agent-routes";
import { createPullTarget } from "../support/pull";
import { startRouteServer, type RouteServer } from "../support/route-server";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();
let server: RouteServer;
let admin: Caller;

beforeAll(async () => {
  server = await startRouteServer(PULL_ROUTES);
  admin = await createCaller("admin");
});
afterAll(async () => {
  await server?.stop();
});

const json = (token: string, body?: unknown, method = body === undefined ? "GET" : "POST"): RequestInit => ({
  method,
  headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe("route handlers over real HTTP (startRouteServer)", () => {
  it("enrols, long-polls and wakes on registration over loopback HTTP", async () => {
    const target = await createPullTarget();
    const created = await fetch(
      `${server.url}/api/agents`,
      json(admin.token, { name: "http-agent", targetIds: [target.id] }),
    );
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    const enrolled = await fetch(`${server.url}/api/agent/v1/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enrolmentToken: secret, version: "t" }),
    });
    expect(enrolled.status).toBe(201);
    const { credential } = ZEnrolResponse.parse(await enrolled.json());

    const first = ZAssignments.parse(
      await (await fetch(`${server.url}/api/agent/v1/assignments`, json(credential))).json(),
    );
    const t0 = Date.now();
    const waiting = fetch(`${server.url}/api/agent/v1/assignments?since=${first.version}`, json(credential));
    await new Promise((r) => setTimeout(r, 200));
    const registered = await fetch(
      `${server.url}/api/targets/${target.id}/repos`,
      json(admin.token, { url: "https://git.example.test/http.git" }),
    );
    expect(registered.status).toBe(201);
    const woke = ZAssignments.parse(await (await waiting).json());
    // Woken by the registration: a poll nobody woke answers only when its hold runs out.
    expect(Date.now() - t0).toBeLessThan(LONG_POLL_TIMEOUT_MS);
    expect(woke.targets[0]!.repos).toHaveLength(1);

    expect((await fetch(`${server.url}/api/agent/v1/assignments`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
  });

  it("a client that goes away ends its long poll", async () => {
    const target = await createPullTarget();
    const created = (await (
      await fetch(`${server.url}/api/agents`, json(admin.token, { name: "abort-agent", targetIds: [target.id] }))
    ).json()) as { secret: string };
    const { credential } = ZEnrolResponse.parse(
      await (
        await fetch(`${server.url}/api/agent/v1/enrol`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ enrolmentToken: created.secret, version: "t" }),
        })
      ).json(),
    );
    const { version } = ZAssignments.parse(
      await (await fetch(`${server.url}/api/agent/v1/assignments`, json(credential))).json(),
    );
    const abort = new AbortController();
    const pending = fetch(`${server.url}/api/agent/v1/assignments?since=${version}`, {
      ...json(credential),
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 200);
    await expect(pending).rejects.toThrow();
    // The server stops cleanly with no poll left hanging.
    const t0 = Date.now();
    await server.stop();
    // A poll left hanging would hold the stop until its hold ran out.
    expect(Date.now() - t0).toBeLessThan(LONG_POLL_TIMEOUT_MS);
    server = await startRouteServer(PULL_ROUTES);
  });
});
