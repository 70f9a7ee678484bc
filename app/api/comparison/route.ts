import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange, ZComparisonQuery } from "@/lib/compare/range";

export const GET = withAuth(
  async ({ req }) => getComparison({ range: resolveRange(ZComparisonQuery.parse(searchParamsOf(req))) }),
  {
    permission: "read",
    docs: {
      tag: "comparison",
      summary: "Push vs pull for a range and optional environment: delivery (DORA-style) and exposure figures",
      query: ZComparisonQuery,
      returns:
        "Delivery figures per mode (frequency, lead time p50/p90, change failure rate, time to restore, approval wait, drift, per-day series) and exposure (credentials, ages, decrypts, denials; agents).",
    },
  },
);
