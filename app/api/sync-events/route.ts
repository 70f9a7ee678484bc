import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listSyncEvents } from "@/lib/sync/data/list-sync-events";

// GET /api/sync-events — sync history of all pull targets (filters target/repo/result/trigger/from/to, cursor pages)
export const GET = withAuth(async ({ req }) => listSyncEvents(searchParamsOf(req)), { permission: "read" });
