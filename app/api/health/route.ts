import { withPublic } from "@/lib/api/with-auth";

// GET /api/health — liveness for load balancers and start-up checks; reveals nothing
export const GET = withPublic(async () => ({ status: "ok" }));
