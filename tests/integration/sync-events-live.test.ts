import { beforeAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as changesRoute from "@/app/api/sync-events/changes/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// The sync-history page's long poll (GET /api/sync-events/changes): answered when the agents' events are stored.
useTestDatabase();
let admin: Caller;
let viewer: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
});

type Changes = { changed: boolean; version: string };
const changes = (query: string, as: Caller | null = viewer) =>
  callRoute(changesRoute.GET, { path: `/api/sync-events/changes?${query}`, as });

describe("sync history long poll", () => {
  it("answers a waiting page when events are stored, at once for an older version of this process, never for another's", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await callRoute(reposRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repos`,
      params: { id: target.id },
      body: { url: `https://git.example.test/${fakeSha().slice(0, 10)}.git` },
      as: admin,
    });
    expect(repo.status).toBe(201);
    const quiet = await changes("wait=0");
    expect(quiet.status).toBe(200);
    expect(quiet.body).toMatchObject({ changed: false });
    const before = (quiet.body as Changes).version;

    const waiting = changes(`wait=25&since=${before}`);
    const stored = await callRoute(eventsRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/events",
      body: { events: [syncEvent({ targetId: target.id, repoId: (repo.body as { id: string }).id })] },
      as: agent,
    });
    expect(stored.status).toBe(200);
    const woken = await waiting;
    expect(woken.status).toBe(200);
    expect(woken.body).toMatchObject({ changed: true });
    const after = (woken.body as Changes).version;
    expect(after).not.toBe(before);

    // A page that missed the wake (its next poll was not in flight yet) learns of it from its version, at once.
    expect((await changes(`wait=25&since=${before}`)).body).toEqual({ changed: true, version: after });
    // Another process's version (a restart, another replica) is no reason to answer: it waits like a current one.
    expect((await changes("wait=0&since=elsewhere.3")).body).toEqual({ changed: false, version: after });
  });

  it("needs a signed-in user or token and a valid query", async () => {
    expect((await changes("wait=0", null)).status).toBe(401);
    expect((await changes("wait=26")).status).toBe(422);
  });
});
