import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as enrolRoute from "@/app/api/agent/v1/enrol/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as heartbeatRoute from "@/app/api/agent/v1/heartbeat/route";
import * as liveStateRoute from "@/app/api/agent/v1/live-state/route";
import * as manifestsRoute from "@/app/api/agent/v1/manifests/[sha256]/route";
import * as agentsRoute from "@/app/api/agents/route";
import * as applicationLiveRoute from "@/app/api/applications/[id]/live/route";
import * as revokeRoute from "@/app/api/agents/[id]/revoke/route";
import * as rotateRoute from "@/app/api/agents/[id]/rotate/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as pinRoute from "@/app/api/repos/[id]/pin/route";
import * as repoRoute from "@/app/api/repos/[id]/route";
import * as syncEventManifestsRoute from "@/app/api/sync-events/[id]/manifests/route";
import * as syncEventRoute from "@/app/api/sync-events/[id]/route";
import * as syncEventsRoute from "@/app/api/sync-events/route";
import * as pullStatusRoute from "@/app/api/targets/[id]/pull-status/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import type { RouteModule } from "./route-server";

/**
 * The routes a pull agent and its tests need, for `startRouteServer(PULL_ROUTES)`: the agent protocol plus the
 * dashboard routes tests drive (register, pin, approve, revoke, history). Add `/api/webhooks/git` when a test needs it.
 */
export const PULL_ROUTES: Record<string, RouteModule> = {
  "/api/agent/v1/enrol": enrolRoute,
  "/api/agent/v1/assignments": assignmentsRoute,
  "/api/agent/v1/events": eventsRoute,
  "/api/agent/v1/heartbeat": heartbeatRoute,
  "/api/agent/v1/live-state": liveStateRoute,
  "/api/agent/v1/manifests/[sha256]": manifestsRoute,
  "/api/applications/[id]/live": applicationLiveRoute,
  "/api/agents": agentsRoute,
  "/api/agents/[id]/rotate": rotateRoute,
  "/api/agents/[id]/revoke": revokeRoute,
  "/api/targets/[id]/repos": reposRoute,
  "/api/targets/[id]/pull-status": pullStatusRoute,
  "/api/repos/[id]": repoRoute,
  "/api/repos/[id]/pin": pinRoute,
  "/api/deployments/[id]/approvals": approvalsRoute,
  "/api/sync-events": syncEventsRoute,
  "/api/sync-events/[id]": syncEventRoute,
  "/api/sync-events/[id]/manifests": syncEventManifestsRoute,
};
