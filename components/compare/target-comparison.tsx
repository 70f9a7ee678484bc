import { getComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange, type TComparisonQuery } from "@/lib/compare/range";
import { ComparisonView } from "./comparison-view";
import { RangeControls } from "./range-controls";

/**
 * The comparison's figures for one target (its mode's column), on the target's page: same rollups, narrowed by
 * target id. Range from the page's URL (?range=, ?from=, ?to=).
 */
export async function TargetComparison({
  targetId,
  mode,
  query,
  canCheckScope = false,
}: {
  targetId: string;
  mode: "push" | "pull";
  query: TComparisonQuery;
  canCheckScope?: boolean;
}) {
  const comparison = await getComparison({ range: resolveRange({ ...query, environment: undefined }), targetId });
  return (
    <section aria-labelledby="target-delivery-heading" className="space-y-3">
      <h2 id="target-delivery-heading" className="text-lg font-semibold text-slate-900">
        Delivery and exposure
      </h2>
      <RangeControls comparison={comparison} action={`/targets/${targetId}`} showEnvironment={false} />
      <ComparisonView comparison={comparison} modes={[mode]} targetId={targetId} canCheckScope={canCheckScope} />
    </section>
  );
}
