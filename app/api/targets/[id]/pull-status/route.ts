import { withAuth } from "@/lib/api/with-auth";
import { getPullStatus } from "@/lib/sync/data/get-pull-status";

// GET /api/targets/:id/pull-status — a pull target's status card: repositories, applied revision, agents, staleness
export const GET = withAuth(async ({ params }) => getPullStatus({ targetId: params.id ?? "" }), { permission: "read" });
