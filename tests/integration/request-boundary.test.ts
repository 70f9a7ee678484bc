import { beforeAll, describe, expect, it, vi } from "vitest";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as meRoute from "@/app/api/auth/me/route";
import * as oidcCallbackRoute from "@/app/api/auth/oidc/callback/route";
import * as signInRoute from "@/app/api/auth/sign-in/route";
import * as signOutRoute from "@/app/api/auth/sign-out/route";
import * as targetRoute from "@/app/api/targets/[id]/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import * as targetsRoute from "@/app/api/targets/route";
import * as usersRoute from "@/app/api/users/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { dbFor } from "@/lib/db/client";
import { githubSignature } from "@/lib/deployments/webhooks";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const ORIGIN = "http://localhost:3000";
const MiB = 1024 * 1024;
let admin: Caller;
let agent: AgentCaller;
let target: { id: string };
let repoId: string;

beforeAll(async () => {
  admin = await createCaller("admin");
  target = await createPullTarget();
  const repo = await callRoute(reposRoute.POST, {
    method: "POST",
    path: `/api/targets/${target.id}/repos`,
    params: { id: target.id },
    body: { url: `https://git.example.test/team/${fakeSha().slice(0, 8)}.git` },
    as: admin,
  });
  expect(repo.status, repo.text).toBe(201);
  repoId = repo.body.id as string;
  agent = await createEnrolledAgent(admin, [target.id]);
});

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/**
 * A chunked body that would produce `total` bytes of JSON whitespace, 64 KiB at a time, and only as fast as it is
 * read: what it has produced tells how much the handler read.
 */
function endlessBody(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const state = { produced: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.produced >= total) return controller.close();
        state.produced += chunk.byteLength;
        controller.enqueue(chunk.slice());
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

async function postStream(handler: Handler, path: string, headers: Record<string, string>, total = 64 * MiB) {
  const { stream, state } = endlessBody(total);
  const req = new Request(`http://localhost:3000${path}`, {
    method: "POST",
    headers: { host: "localhost:3000", "content-type": "application/json", ...headers },
    body: stream,
    duplex: "half",
  } as RequestInit);
  const res = await handler(req, { params: Promise.resolve({}) });
  return { status: res.status, body: (await res.json()) as { error: { code: string } }, state, total };
}

describe("request bodies are read as a stream and cut off at the limit", () => {
  const cases: Array<[string, () => Promise<Awaited<ReturnType<typeof postStream>>>, number]> = [
    [
      "POST /api/auth/sign-in (no login needed)",
      () => postStream(signInRoute.POST, "/api/auth/sign-in", { origin: ORIGIN }),
      2 * MiB,
    ],
    [
      "POST /api/targets",
      () => postStream(targetsRoute.POST, "/api/targets", { authorization: `Bearer ${admin.token}` }),
      2 * MiB,
    ],
    [
      "POST /api/agent/v1/events",
      () => postStream(eventsRoute.POST, "/api/agent/v1/events", { authorization: `Bearer ${agent.token}` }),
      2 * MiB,
    ],
    [
      "POST /api/webhooks/git",
      () => postStream(webhookRoute.POST, "/api/webhooks/git", { "x-github-event": "push" }),
      5 * MiB,
    ],
  ];
  for (const [name, send, limit] of cases) {
    it(`${name}: 413 after reading little more than the limit of a 64 MiB chunked body`, async () => {
      const res = await send();
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
      // The handler stopped reading: at most the limit and one chunk (plus what the stream buffers) came out of it.
      expect(res.state.produced).toBeLessThan(limit + 4 * 64 * 1024);
      await vi.waitFor(() => expect(res.state.cancelled).toBe(true));
    });
  }

  it("refuses a declared Content-Length above the limit before reading anything", async () => {
    const res = await callRoute(signInRoute.POST, {
      method: "POST",
      path: "/api/auth/sign-in",
      origin: ORIGIN,
      headers: { "content-length": String(3 * MiB) },
      body: { email: "a@b.c", password: "x" },
    });
    expect(res.status).toBe(413);
  });
});

describe("a malformed session cookie", () => {
  it("is no session (401), not a server error, on every kind of route", async () => {
    const cookie = "wharf_session=%E0%A4%A";
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", cookie })).status).toBe(401);
    const list = await callRoute(targetsRoute.GET, { path: "/api/targets", cookie });
    expect(list.status).toBe(401);
    expect(list.body.error.code).toBe("UNAUTHENTICATED");
    expect(
      (await callRoute(signOutRoute.POST, { method: "POST", path: "/api/auth/sign-out", cookie, origin: ORIGIN }))
        .status,
    ).not.toBe(500);
  });
});

describe("NUL characters are refused at the boundary, the same on SQLite and PostgreSQL", () => {
  it("in a JSON body: 422, nothing stored", async () => {
    const email = `nul-${fakeSha().slice(0, 6)}@test.wharf`;
    const res = await callRoute(usersRoute.POST, {
      method: "POST",
      path: "/api/users",
      as: admin,
      body: { email, name: "Nul\u0000Name", role: "viewer", password: "correct horse battery staple" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(await dbFor(t.url).user.count({ where: { email } })).toBe(0);
    // An escaped backslash followed by "u0000" is not a NUL.
    const ok = await callRoute(usersRoute.POST, {
      method: "POST",
      path: "/api/users",
      as: admin,
      body: `{"email":"${email}","name":"back\\\\u0000slash","role":"viewer","password":"correct horse battery staple"}`,
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it("in agent events: 422", async () => {
    const res = await callRoute(eventsRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/events",
      as: agent,
      body: { events: [syncEvent({ targetId: target.id, repoId, message: "bad\u0000byte" })] },
    });
    expect(res.status).toBe(422);
  });

  it("in a query parameter: 422", async () => {
    const res = await callRoute(targetsRoute.GET, { path: "/api/targets?q=a%00b", as: admin });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
  });

  it("in the query of a handler that reads the URL itself (the OIDC callback's state): 422", async () => {
    const res = await callRoute(oidcCallbackRoute.GET, { path: "/api/auth/oidc/callback?state=a%00b&code=c" });
    expect(res.status).toBe(422);
  });

  it("in a route parameter: 404", async () => {
    const res = await callRoute(targetRoute.GET, { path: "/api/targets/a%00b", params: { id: "a\u0000b" }, as: admin });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });
});

describe("deeply nested JSON", () => {
  it("agent events nested 5,000 levels deep: 422", async () => {
    const deep = `${"[".repeat(5000)}1${"]".repeat(5000)}`;
    const event = syncEvent({ targetId: target.id, repoId, result: "drift-detected", kind: "drift" });
    const diff = {
      counts: { create: 0, change: 1, unchanged: 0, prune: 0 },
      objects: [
        {
          ref: { apiVersion: "v1", kind: "ConfigMap", name: "x" },
          action: "change",
          changes: [{ path: "data", op: "change", new: "__DEEP__" }],
        },
      ],
    };
    const body = JSON.stringify({ events: [{ ...event, diff }] }).replace('"__DEEP__"', deep);
    const res = await callRoute(eventsRoute.POST, { method: "POST", path: "/api/agent/v1/events", as: agent, body });
    expect(res.status, res.text).toBe(422);
  });

  it("still accepts ordinary nesting", async () => {
    const res = await callRoute(eventsRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/events",
      as: agent,
      body: { events: [syncEvent({ targetId: target.id, repoId })] },
    });
    expect(res.status, res.text).toBe(200);
  });
});

describe("webhook deliveries go through the same JSON parse", () => {
  let repoUrl: string;
  let secret: string;

  beforeAll(async () => {
    repoUrl = `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`;
    const bound = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repo-bindings`,
      params: { id: target.id },
      body: { repoUrl, branch: "main" },
      as: admin,
    });
    expect(bound.status, bound.text).toBe(201);
    secret = bound.body.secret as string;
  });

  /** A push of the bound repository with `extra` spliced in as raw JSON text, signed with the binding's secret (or not). */
  async function deliver(extra: string, signWith: string | null) {
    const body = JSON.stringify({
      ref: "refs/heads/main",
      after: fakeSha(),
      repository: { clone_url: repoUrl },
      extra: "__EXTRA__",
    }).replace('"__EXTRA__"', extra);
    const delivery = `gh-${fakeSha().slice(0, 12)}`;
    const res = await callRoute(webhookRoute.POST, {
      method: "POST",
      path: "/api/webhooks/git",
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": delivery,
        ...(signWith ? { "x-hub-signature-256": githubSignature(signWith, body) } : {}),
      },
    });
    const recorded = await dbFor(t.url).webhookDelivery.count({ where: { id: `github:id:${delivery}` } });
    return { ...res, recorded };
  }

  it("a correctly signed body with a NUL escape: 422, nothing recorded", async () => {
    const res = await deliver(JSON.stringify({ message: "bad\u0000byte" }), secret);
    expect(res.status, res.text).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.recorded).toBe(0);
  });

  it("a body nested 5,000 levels deep, signed or not: 422, nothing recorded", async () => {
    const deep = `${"[".repeat(5000)}1${"]".repeat(5000)}`;
    for (const signWith of [secret, null]) {
      const res = await deliver(deep, signWith);
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.recorded).toBe(0);
    }
  });

  it("an ordinary signed push is still accepted", async () => {
    const res = await deliver(JSON.stringify({ nested: [[{ ok: true }]] }), secret);
    expect(res.status, res.text).toBe(202);
    expect(res.body.accepted).toBe(true);
    expect(res.recorded).toBe(1);
  });
});
