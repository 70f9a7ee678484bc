import { z } from "zod";
import { withPublic } from "@/lib/api/with-auth";

export const GET = withPublic(async () => ({ status: "ok" }), {
  docs: {
    tag: "operations",
    summary: "Liveness for load balancers and start-up checks; reveals nothing",
    returns: '{ status: "ok" }',
    response: z.object({ status: z.literal("ok") }),
  },
});
