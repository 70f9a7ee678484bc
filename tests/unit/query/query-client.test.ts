import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api-fetch";
import { getQueryClient, makeQueryClient } from "@/lib/query/query-client";

afterEach(() => vi.restoreAllMocks());

describe("the server's query client", () => {
  // The unit project runs in Node, where React Query's isServer holds, as in a server render.
  it("runs a failing prefetch once and logs why, instead of retrying for 3 s", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const qc = getQueryClient();
    const queryFn = vi.fn(() => Promise.reject(new Error("limit must be a number")));
    await qc.prefetchQuery({ queryKey: ["credentials", "list", { limit: 50 }], queryFn });
    expect(queryFn).toHaveBeenCalledTimes(1);
    expect(qc.getQueryState(["credentials", "list", { limit: 50 }])?.status).toBe("error");
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("limit must be a number"));
  });

  it("keeps what a prefetch found", async () => {
    const qc = getQueryClient();
    await qc.prefetchQuery({ queryKey: ["k"], queryFn: () => Promise.resolve(42) });
    expect(qc.getQueryData(["k"])).toBe(42);
  });
});

describe("the browser's query client", () => {
  const retry = makeQueryClient({ server: false }).getDefaultOptions().queries?.retry as (
    count: number,
    error: Error,
  ) => boolean;

  it("retries a failed query twice", () => {
    const offline = new ApiError(0, "NETWORK", "Wharf could not be reached.");
    expect([0, 1, 2].map((count) => retry(count, offline))).toEqual([true, true, false]);
    expect(retry(0, new ApiError(500, "INTERNAL", "boom"))).toBe(true);
  });

  it("never retries a 4xx answer", () => {
    expect(retry(0, new ApiError(404, "NOT_FOUND", "gone"))).toBe(false);
    expect(retry(0, new ApiError(401, "UNAUTHENTICATED", "sign in"))).toBe(false);
  });
});
