import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiFetch } from "@/lib/api-fetch";

afterEach(() => vi.unstubAllGlobals());

describe("apiFetch", () => {
  it("sends JSON with the session cookie and returns the parsed answer; 204 is undefined", async () => {
    const fetch = vi.fn(async () => Response.json({ id: "t1" }, { status: 201 }));
    vi.stubGlobal("fetch", fetch);
    await expect(apiFetch("/api/targets", { method: "POST", body: { name: "a" } })).resolves.toEqual({ id: "t1" });
    expect(fetch).toHaveBeenCalledWith("/api/targets", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"a"}',
      signal: undefined,
      credentials: "same-origin",
    });
    vi.stubGlobal("fetch", async () => new Response(null, { status: 204 }));
    await expect(apiFetch("/api/targets/t1", { method: "DELETE" })).resolves.toBeUndefined();
  });

  it("throws the answer's {error:{code,message,fields}} as an ApiError, and a generic one for a body without it", async () => {
    const body = { error: { code: "VALIDATION_FAILED", message: "name: Required", fields: { name: ["Required"] } } };
    vi.stubGlobal("fetch", async () => Response.json(body, { status: 422 }));
    const err = await apiFetch("/api/targets").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 422,
      code: "VALIDATION_FAILED",
      message: "name: Required",
      fields: body.error.fields,
    });
    vi.stubGlobal("fetch", async () => new Response("<html>", { status: 502 }));
    await expect(apiFetch("/api/targets")).rejects.toMatchObject({ status: 502, code: "INTERNAL", fields: {} });
  });

  it("turns a network failure into NETWORK and lets an abort through", async () => {
    vi.stubGlobal("fetch", async () => Promise.reject(new TypeError("fetch failed")));
    await expect(apiFetch("/api/targets")).rejects.toMatchObject({ status: 0, code: "NETWORK" });
    const abort = Object.assign(new Error("aborted"), { name: "AbortError" });
    vi.stubGlobal("fetch", async () => Promise.reject(abort));
    await expect(apiFetch("/api/targets")).rejects.toBe(abort);
  });

  it("imports nothing but errors and schemas, so the browser reaches no server module through it", () => {
    const text = fs.readFileSync(path.join(process.cwd(), "lib/api-fetch.ts"), "utf8");
    const specifiers = [...text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
    expect(specifiers).toContain("@/lib/errors");
    for (const s of specifiers) expect(s).toMatch(/^@\/lib\/(errors|[\w-]+\/schemas)$/);
  });
});
