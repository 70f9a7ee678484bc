import https from "node:https";
import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { connectRealCluster } from "@/lib/kube/real-cluster";
import { startSandbox } from "@/lib/kube/sandbox";
import type { Sandbox } from "@/lib/kube/sandbox";
import { FIDELITY_TABLE, type FidelityRequest, type FidelityRow } from "./fidelity-table";

/**
 * The differential fidelity suite: every row of fidelity-table.ts goes to the sandbox and, on the real leg
 * (WHARF_TEST_CLUSTER=real with the control plane up), to the real kube-apiserver too. Each server must give the
 * row's expected status, reason, causes, warnings (and message, where the row pins one); on the real leg the two
 * answers are also compared with each other.
 */

interface Target {
  name: string;
  url: string;
  caPem: string;
  adminToken: string;
  mintToken(namespace: string, name: string): Promise<string>;
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  warnings: string[];
  text: string;
  json: any;
}

const run = randomBytes(3).toString("hex");

function send(t: Target, req: FidelityRequest, token: string, subst: (s: string) => string): Promise<Answer> {
  const url = new URL(subst(req.path), t.url);
  const payload = req.body === undefined ? undefined : subst(JSON.stringify(req.body));
  const headers: Record<string, string | string[]> = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  if (payload !== undefined) headers["Content-Type"] = req.contentType ?? "application/json";
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = Array.isArray(v) ? v.map(subst) : subst(v);
  return new Promise((resolve, reject) => {
    const r = https.request(url, { method: req.method, ca: t.caPem, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const raw = res.headers.warning;
        const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
        // `299 - "text"`; Node joins repeated headers with ", ", so split on the agent marker.
        const warnings = list
          .flatMap((h) => h.split(/,\s*(?=299 )/))
          .map((h) => /^299 - "(.*)"$/.exec(h.trim())?.[1]?.replace(/\\"/g, '"') ?? h);
        resolve({ status: res.statusCode ?? 0, warnings, text, json });
      });
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(payload);
  });
}

async function sandboxTarget(): Promise<Target> {
  const sandbox: Sandbox = await startSandbox({ port: 0, rolloutDelayMs: 100 });
  return {
    name: "sandbox",
    url: sandbox.url,
    caPem: sandbox.caPem,
    adminToken: sandbox.adminToken,
    mintToken: async (namespace, name) => sandbox.mintToken({ serviceAccount: { namespace, name } }),
    stop: () => sandbox.stop(),
  };
}

function realTarget(): Target | undefined {
  const info = process.env.WHARF_TEST_CLUSTER === "real" ? inject("realCluster") : null;
  if (!info) return undefined;
  const real = connectRealCluster(info);
  return {
    name: "real",
    url: real.url,
    caPem: real.caPem,
    adminToken: real.adminToken,
    mintToken: (namespace, name) => real.mintToken({ serviceAccount: { namespace, name } }),
    stop: () => real.stop(),
  };
}

/** Runs a row's setup and request against one server; returns the answer (and the follow-up read's projection). */
async function play(
  t: Target,
  row: FidelityRow,
  index: number,
): Promise<{ answer: Answer; then?: unknown; subst: (s: string) => string }> {
  const ns = `fid-${run}-${index}`;
  const group = `fid${run}.example.com`;
  const rvs: string[] = [];
  const subst = (s: string) =>
    s
      .replaceAll("{ns}", ns)
      .replaceAll("{group}", group)
      .replace(/\{rv:(\d+)\}/g, (_, i: string) => rvs[Number(i)] ?? "");
  const admin = t.adminToken;
  const created = await send(
    t,
    {
      method: "POST",
      path: "/api/v1/namespaces",
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    },
    admin,
    subst,
  );
  expect(created.status, created.text).toBe(201);
  for (const step of row.setup ?? []) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const a = await send(t, step, admin, subst);
      rvs.push(String(a.json?.metadata?.resourceVersion ?? ""));
      const enough =
        step.waitForItems === undefined || (Array.isArray(a.json?.items) && a.json.items.length === step.waitForItems);
      if ((a.status < 300 && enough) || (step.ignoreConflict && a.status === 409)) break;
      if (!(step.waitFor || step.waitForItems !== undefined) || Date.now() > deadline)
        throw new Error(`setup ${step.method} ${subst(step.path)} on ${t.name}: ${a.status} ${a.text.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const token = row.request.serviceAccount ? await t.mintToken(ns, row.request.serviceAccount) : admin;
  const answer = await send(t, row.request, token, subst);
  let then: unknown;
  if (row.then) {
    const want = row.then.equals;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const a = await send(t, row.then.request, admin, subst);
      then = a.status === 200 ? row.then.pick(a.json) : `${a.status} ${a.text.slice(0, 200)}`;
      if (isDeepStrictEqual(then, want) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { answer, then, subst };
}

function sortCauses(causes: Array<{ field: string; reason: string }>): Array<{ field: string; reason: string }> {
  return [...causes].sort((a, b) => `${a.field} ${a.reason}`.localeCompare(`${b.field} ${b.reason}`));
}

/** The parts of an answer the table compares. */
function shape(a: Answer, row: FidelityRow): Record<string, unknown> {
  const out: Record<string, unknown> = { status: a.status };
  if (row.expect.reason !== undefined) out.reason = a.json?.reason ?? "";
  // Causes compare as a set: kube-openapi walks a schema's properties in map order.
  if (row.expect.causes)
    out.causes = sortCauses(
      ((a.json?.details?.causes ?? []) as Array<{ field: string; reason: string }>).map((c) => ({
        field: c.field,
        reason: c.reason,
      })),
    );
  if (row.expect.warnings) out.warnings = a.warnings;
  if (row.expect.text !== undefined) out.text = a.text;
  if (row.expect.watchEvents)
    out.watchEvents = a.text
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { type: string }).type);
  return out;
}

function expected(row: FidelityRow, subst: (s: string) => string): Record<string, unknown> {
  const e = row.expect;
  const out: Record<string, unknown> = { status: e.status };
  if (e.reason !== undefined) out.reason = e.reason;
  if (e.causes) out.causes = sortCauses(e.causes.map((c) => ({ field: subst(c.field), reason: c.reason })));
  if (e.warnings) out.warnings = e.warnings.map(subst);
  if (e.text !== undefined) out.text = subst(e.text);
  if (e.watchEvents) out.watchEvents = e.watchEvents;
  return out;
}

const targets: Target[] = [];
const answers = new Map<string, Map<number, Awaited<ReturnType<typeof play>>>>();

beforeAll(async () => {
  targets.push(await sandboxTarget());
  const real = realTarget();
  if (real) targets.push(real);
}, 120_000);
afterAll(async () => {
  for (const t of targets) await t.stop();
});

describe("fidelity: the sandbox answers like kube-apiserver", () => {
  FIDELITY_TABLE.forEach((row, index) => {
    it(row.name, async () => {
      for (const t of targets) {
        if (t.name === "sandbox" && row.sandboxDiffers) continue;
        const result = await play(t, row, index);
        const per = answers.get(t.name) ?? new Map<number, Awaited<ReturnType<typeof play>>>();
        per.set(index, result);
        answers.set(t.name, per);
        const { answer, subst } = result;
        const label = `${t.name}: ${answer.text.slice(0, 500)}`;
        expect(shape(answer, row), label).toEqual(expected(row, subst));
        const m = row.expect.message;
        if (typeof m === "string") expect(answer.json?.message, label).toBe(subst(m));
        else if (m) expect(answer.json?.message, label).toMatch(m);
        if (row.then) expect(result.then, `${t.name}: follow-up read`).toEqual(row.then.equals);
      }
      // On the real leg: the two servers' answers side by side, field by field.
      const s = answers.get("sandbox")?.get(index);
      const r = answers.get("real")?.get(index);
      if (s && r) {
        expect(shape(s.answer, row)).toEqual(shape(r.answer, row));
        if (typeof row.expect.message === "string")
          expect(s.answer.json?.message).toBe(r.answer.json?.message?.replaceAll(r.subst("{ns}"), s.subst("{ns}")));
      }
    });
  });
});
