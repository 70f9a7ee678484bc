import { timingSafeEqual } from "node:crypto";
import { bearerTokenOf } from "@/lib/api/bearer-token";
import { withPublic } from "@/lib/api/with-auth";
import { sha256Hex } from "@/lib/auth/secrets";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { renderMetrics } from "@/lib/compare/data/render-metrics";

/** Compares hashes, so neither the length nor the content of the configured token leaks through timing. */
function tokenMatches(sent: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256Hex(sent), "hex"), Buffer.from(sha256Hex(expected), "hex"));
}

export const GET = withPublic(
  async ({ req }) => {
    const expected = env().WHARF_METRICS_TOKEN;
    if (!expected) throw new AppError("NOT_FOUND", "Metrics are off: set WHARF_METRICS_TOKEN to enable them.");
    const sent = bearerTokenOf(req);
    if (!sent || !tokenMatches(sent, expected))
      throw new AppError("UNAUTHENTICATED", "Send the metrics token: Authorization: Bearer <WHARF_METRICS_TOKEN>.");
    const { text, contentType } = await renderMetrics();
    return new Response(text, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
  },
  {
    docs: {
      tag: "operations",
      summary:
        "Prometheus metrics (text format) for `Authorization: Bearer $WHARF_METRICS_TOKEN`; 404 while it is unset",
      returns: "Prometheus text exposition.",
      produces: "text/plain",
      access: "metrics",
    },
  },
);
