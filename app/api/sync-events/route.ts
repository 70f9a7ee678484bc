import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listSyncEvents } from "@/lib/sync/data/list-sync-events";

// GET /api/sync-events — sync history of all pull targets (filters target/environment/repo/result(s)/trigger, [from, to) on occurredAt, recovery and commit-time rows; cursor pages)
export const GET = withAuth(async ({ req }) => listSyncEvents(searchParamsOf(req)), { permission: "read" });
