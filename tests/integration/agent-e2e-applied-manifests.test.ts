import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { AGENT_PATHS, MANIFESTS_GZ_MAX_BYTES } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import { startGitServer, type GitServer } from "../support/git-server";
import { createCaller, type Caller } from "../support/api";
import { PULL_ROUTES } from "../support/agent-routes";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent } from "../support/pull";
import { startRouteServer, type RouteServer } from "../support/route-server";
import { useTestDatabase } from "../support/test-db";
import { agentClusterAccess, appManifests, AUTHOR, eventually, startTestAgent } from "../kube/agent-support";
import { startKube, uniqueName } from "../kube/lib-support";

// Issue 16, Must 4 (pull): a sync's record holds exactly what its agent applied — the rendered manifests, gzip,
// stored once per SHA-256 — downloadable byte for byte by approvers and admins, each download audited. The agent
// asks about the digest first and uploads the text only when Wharf does not hold it. A real agent, the real routes
// over HTTP, the sandbox (SQLite leg) or the real control plane (PostgreSQL leg).

const t = useTestDatabase();
const db = () => dbFor(t.url);

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;
let server: RouteServer;
let admin: Caller;
let approver: Caller;
let viewer: Caller;
let deployer: Caller;

beforeAll(async () => {
  [kube, git, server] = await Promise.all([
    startKube({ rolloutDelayMs: 200 }),
    startGitServer(),
    startRouteServer(PULL_ROUTES),
  ]);
  [admin, approver, viewer, deployer] = await Promise.all([
    createCaller("admin"),
    createCaller("approver"),
    createCaller("viewer"),
    createCaller("deployer"),
  ]);
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([kube?.stop(), git?.stop()]);
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function getJson<T = Record<string, unknown>>(path: string, as: Caller): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${as.token}` } });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
}

/**
 * A PUT on a connection of its own that is closed afterwards, reading the answer even when the server answers before
 * taking the whole body (as a 413 does): a pooled fetch connection would carry the unread rest into the next request.
 */
function putOnce(
  path: string,
  headers: Record<string, string>,
  chunks: Uint8Array[],
  declareLength: boolean,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const length = chunks.reduce((n, c) => n + c.length, 0);
    const req = http.request(
      url,
      {
        method: "PUT",
        agent: false,
        headers: { ...headers, connection: "close", ...(declareLength ? { "content-length": String(length) } : {}) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") }));
        res.on("error", reject);
      },
    );
    // The server may close while the rest is still being written; the answer it sent first is what counts.
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ECONNRESET") reject(err);
    });
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

async function download(eventId: string, as: Caller) {
  const res = await fetch(`${server.url}/api/sync-events/${eventId}/manifests`, {
    headers: { authorization: `Bearer ${as.token}`, "accept-encoding": "gzip" },
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

interface HistoryRow {
  id: string;
  result: string;
  revision: { sha: string } | null;
  manifests: { sha256: string; bytes: number | null } | null;
}

async function syncedRow(targetId: string, sha: string): Promise<HistoryRow> {
  return eventually(
    async () => {
      const res = await getJson<{ items: HistoryRow[] }>(`/api/sync-events?targetId=${targetId}&limit=100`, admin);
      return res.body.items.find((r) => r.result === "synced" && r.revision?.sha === sha);
    },
    `synced row of ${sha.slice(0, 8)}`,
  );
}

/** The agent's calls to Wharf, as a fetch that records each manifests request (and the gzip it uploads). */
function recordingFetch() {
  const calls: { method: string; path: string; body?: Buffer }[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname.startsWith("/api/agent/v1/manifests/")) {
      const body = init?.body instanceof Uint8Array ? Buffer.from(init.body) : undefined;
      calls.push({ method: init?.method ?? "GET", path: url.pathname, ...(body ? { body } : {}) });
    }
    return fetch(input, init);
  };
  return { calls, fetch: wrapped };
}

async function pullSetup() {
  const ns = uniqueName("mf");
  const target = await createPullTarget();
  await db().target.update({ where: { id: target.id }, data: { defaultNamespace: ns } });
  const agentCaller = await createEnrolledAgent(admin, [target.id]);
  const kubeClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
  const repo = await git.createRepo(`${ns}.git`);
  return { ns, target, agentCaller, kubeClient, repo };
}

describe("applied manifests of a pull sync (real agent, routes over HTTP)", () => {
  it("downloads byte-identical to what the agent applied, uploads an unchanged render once, and audits downloads", async () => {
    const { ns, target, agentCaller, kubeClient, repo } = await pullSetup();
    const first = await repo.commit({ files: appManifests({ value: "héllo v1" }), author: AUTHOR, message: "first" });
    const recorder = recordingFetch();
    let agent = await startTestAgent({
      wharfUrl: server.url,
      credential: agentCaller.token,
      kubeClient,
      fetch: recorder.fetch,
    });
    try {
      const created = await fetch(`${server.url}/api/targets/${target.id}/repos`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
        body: JSON.stringify({ url: repo.url, path: "deploy", pollIntervalSeconds: 3600 }),
      });
      expect(created.status).toBe(201);
      const repoId = ((await created.json()) as { id: string }).id;
      const row1 = await syncedRow(target.id, first);

      // The agent asked about the digest, then uploaded the gzip once; what it uploaded is what it applied.
      const puts = recorder.calls.filter((c) => c.method === "PUT");
      expect(puts).toHaveLength(1);
      const applied = gunzipSync(puts[0]!.body!);
      expect(row1.manifests).toEqual({ sha256: sha256(applied), bytes: applied.length });
      expect(puts[0]!.path).toBe(AGENT_PATHS.manifests(row1.manifests!.sha256));
      const docs = YAML.parseAllDocuments(applied.toString("utf8")).map((d) => d.toJS() as Record<string, any>);
      const cm = docs.find((d) => d.kind === "ConfigMap");
      expect(cm).toMatchObject({ metadata: { name: "web-config", namespace: ns }, data: { greeting: "héllo v1" } });
      const live = await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "web-config" });
      expect((live?.data as Record<string, string>).greeting).toBe(cm!.data.greeting);
      expect(docs.map((d) => d.kind).sort()).toEqual(["ConfigMap", "Deployment"]);

      // The download: exactly those bytes, with the digest in both headers, whatever encoding the client accepts.
      const got = await download(row1.id, approver);
      expect(got.status).toBe(200);
      expect(got.body.equals(applied)).toBe(true);
      expect(got.headers.get("content-type")).toMatch(/^application\/yaml/);
      expect(got.headers.get("content-encoding")).toBeNull();
      expect(got.headers.get("x-wharf-manifests-sha256")).toBe(row1.manifests!.sha256);
      expect(got.headers.get("digest")).toBe(`sha-256=${createHash("sha256").update(applied).digest("base64")}`);
      expect(got.headers.get("content-disposition")).toMatch(
        new RegExp(`^attachment; filename=".*${row1.id}.*\\.yaml"$`),
      );
      // Stored once, compressed.
      const blobs = await db().appliedManifestsBlob.findMany({ where: { sha256: row1.manifests!.sha256 } });
      expect(blobs).toHaveLength(1);
      expect(gunzipSync(blobs[0]!.gz).equals(applied)).toBe(true);

      // A restarted agent (nothing in memory) syncs a commit that renders the same: it asks, Wharf holds it, no upload.
      await agent.stop();
      agent = await startTestAgent({
        wharfUrl: server.url,
        credential: agentCaller.token,
        kubeClient,
        stateDir: agent.stateDir,
        fetch: recorder.fetch,
      });
      const second = await repo.commit({
        files: { "README.md": "not rendered\n" },
        author: AUTHOR,
        message: "docs only",
      });
      await agent.syncNow(repoId);
      const row2 = await syncedRow(target.id, second);
      expect(row2.manifests).toEqual(row1.manifests);
      expect(recorder.calls.filter((c) => c.method === "PUT")).toHaveLength(1);
      expect(recorder.calls.filter((c) => c.method === "GET").length).toBeGreaterThanOrEqual(2);
      expect(await db().appliedManifestsBlob.count({ where: { sha256: row1.manifests!.sha256 } })).toBe(1);
      const again = await download(row2.id, admin);
      expect(again.status).toBe(200);
      expect(again.body.equals(applied)).toBe(true);

      // The event's page: cluster, revision, digest, and the link only for those the download serves.
      const page = await getJson<Record<string, any>>(`/api/sync-events/${row2.id}`, approver);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({
        cluster: { name: target.name, archived: false },
        revision: { sha: second },
        appliedManifests: { sha256: row1.manifests!.sha256, bytes: applied.length, held: true, canDownload: true },
        approval: null,
      });
      const asViewer = await getJson<Record<string, any>>(`/api/sync-events/${row2.id}`, viewer);
      expect(asViewer.body.appliedManifests).toMatchObject({ held: true, canDownload: false });

      // A viewer and a deployer are refused, and nothing is served or audited for them.
      for (const who of [viewer, deployer]) {
        const refused = await download(row1.id, who);
        expect(refused.status).toBe(403);
        expect(refused.body.toString("utf8")).not.toContain("web-config");
      }
      const audit = await db().auditEvent.findMany({
        where: { action: "sync.manifests-downloaded", subjectId: { in: [row1.id, row2.id] } },
        orderBy: { seq: "asc" },
      });
      expect(audit.map((a) => [a.subjectId, a.subjectType, a.targetId, a.outcome])).toEqual([
        [row1.id, "sync-event", target.id, "success"],
        [row2.id, "sync-event", target.id, "success"],
      ]);
      expect(audit[0]!.actorName).toContain(approver.email);
      expect(audit[1]!.actorName).toContain(admin.email);
      expect(JSON.parse(audit[0]!.details)).toMatchObject({ sha256: row1.manifests!.sha256, bytes: applied.length });
    } finally {
      await agent.stop();
    }
  });

  it("refuses an upload over 5 MiB (declared or streamed) with 413 and a wrong digest with 422, storing nothing", async () => {
    const target = await createPullTarget();
    const agentCaller = await createEnrolledAgent(admin, [target.id]);
    const auth = { authorization: `Bearer ${agentCaller.token}`, "content-type": "application/gzip" };
    // Text filed under another digest is refused: the digest a sync event names always matches what is served.
    const text = Buffer.from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    const wrongSha = sha256(Buffer.from("something else"));
    const wrong = await fetch(`${server.url}${AGENT_PATHS.manifests(wrongSha)}`, {
      method: "PUT",
      headers: auth,
      body: new Uint8Array(gzipSync(text)),
    });
    expect(wrong.status).toBe(422);
    expect(await db().appliedManifestsBlob.count({ where: { sha256: wrongSha } })).toBe(0);
    const notGzip = await fetch(`${server.url}${AGENT_PATHS.manifests(sha256(text))}`, {
      method: "PUT",
      headers: auth,
      body: new Uint8Array(text),
    });
    expect(notGzip.status).toBe(422);
    // Without a credential: 401.
    const anonymous = await fetch(`${server.url}${AGENT_PATHS.manifests(sha256(text))}`);
    expect(anonymous.status).toBe(401);
    // Past the cap (last: the refused bodies are left unread, and the connections they came on are closed).
    // Incompressible: a 6 MiB body is a 6 MiB gzip.
    const big = gzipSync(randomBytes(6 * 1024 * 1024), { level: 0 });
    expect(big.length).toBeGreaterThan(MANIFESTS_GZ_MAX_BYTES);
    const bigSha = sha256(gunzipSync(big));
    const declared = await putOnce(AGENT_PATHS.manifests(bigSha), auth, [big], true);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.any(String) } });
    // No Content-Length (chunked): the stream is read only up to the cap.
    const chunks = Array.from({ length: 6 }, (_, i) => big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    const streamed = await putOnce(AGENT_PATHS.manifests(bigSha), auth, chunks, false);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(await db().appliedManifestsBlob.count({ where: { sha256: bigSha } })).toBe(0);
  });

  it("an older agent's events (no manifests) are stored and read as not recorded", async () => {
    const target = await createPullTarget();
    const agentCaller = await createEnrolledAgent(admin, [target.id]);
    const repo = await db().pullRepo.create({
      data: {
        targetId: target.id,
        url: "https://git.example.com/team/old.git",
        branch: "main",
        path: ".",
        createdById: admin.userId,
      },
    });
    const event = syncEvent({
      targetId: target.id,
      repoId: repo.id,
      revision: { sha: fakeSha(), message: "", authorName: "", authorEmail: "" },
      counts: { created: 1, changed: 0, unchanged: 0, pruned: 0 },
    });
    const sent = await fetch(`${server.url}${AGENT_PATHS.events}`, {
      method: "POST",
      headers: { authorization: `Bearer ${agentCaller.token}`, "content-type": "application/json" },
      body: JSON.stringify({ events: [event] }),
    });
    expect(sent.status).toBe(200);
    const page = await getJson<Record<string, any>>(`/api/sync-events/${event.id}`, approver);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ id: event.id, manifests: null, appliedManifests: null });
    const got = await download(event.id, approver);
    expect(got.status).toBe(404);
    expect(JSON.parse(got.body.toString("utf8"))).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect((await download("no-such-event", approver)).status).toBe(404);
  });
});
