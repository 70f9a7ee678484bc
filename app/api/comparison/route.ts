import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange, ZComparisonQuery } from "@/lib/compare/range";

// GET /api/comparison — push vs pull for a range (?range=7|30|90|custom&from=&to=) and optional ?environment=: delivery and exposure figures
export const GET = withAuth(
  async ({ req }) => getComparison({ range: resolveRange(ZComparisonQuery.parse(searchParamsOf(req))) }),
  { permission: "read" },
);
