import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";

/**
 * A list whose first load is slow, a write while it is in flight, then the re-read: what the page shows once both
 * settled. The server's rows are `rows`; each read answers what they were when it started.
 */
async function afterWriteDuringFirstLoad(reread: (qc: QueryClient) => Promise<unknown>): Promise<string[]> {
  const rows: string[] = [];
  let releaseFirst: () => void = () => undefined;
  let reads = 0;
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const observer = new QueryObserver<string[]>(qc, {
    queryKey: ["bindings"],
    queryFn: ({ signal }) => {
      const answer = [...rows];
      // The first read is held until the write is done, as a slow first load on a busy server.
      if (reads++ > 0) return Promise.resolve(answer);
      return new Promise<string[]>((resolve, reject) => {
        releaseFirst = () => resolve(answer);
        signal.addEventListener("abort", () => reject(signal.reason));
      });
    },
  });
  const unsubscribe = observer.subscribe(() => undefined);
  await new Promise((r) => setTimeout(r, 0));
  rows.push("shop.git"); // the write
  const settled = reread(qc);
  releaseFirst();
  await settled;
  await new Promise((r) => setTimeout(r, 0));
  unsubscribe();
  return qc.getQueryData<string[]>(["bindings"]) ?? [];
}

describe("refetchAfterWrite", () => {
  it("shows the write even when the list's first load started before it and was still in flight", async () => {
    expect(await afterWriteDuringFirstLoad((qc) => refetchAfterWrite(qc, ["bindings"]))).toEqual(["shop.git"]);
    // Why it exists: invalidation alone joins that first load and keeps its answer from before the write.
    expect(await afterWriteDuringFirstLoad((qc) => qc.invalidateQueries({ queryKey: ["bindings"] }))).toEqual([]);
  });
});
