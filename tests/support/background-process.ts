// One dashboard process's background work, without the HTTP server: the push executor, the rotation scheduler, the
// notification dispatcher and the audit flood summaries, started through the same entry points instrumentation.ts calls
// in `next start`. The two-process test runs
// two of these against one PostgreSQL database:
//   tsx --conditions=react-server tests/support/background-process.ts
// Prints "ready <executor process id>" once both loops run; SIGTERM stops them cleanly.
import "reflect-metadata";
import { startProcessExecutor } from "@/lib/deployments/executor";
import { startProcessAuditFloodSummaries } from "@/lib/audit/flood-summaries";
import { stopProcessLoops } from "@/lib/jobs/leased-loop";
import { startProcessNotificationDispatcher } from "@/lib/notifications/dispatcher";
import { startProcessRotationScheduler } from "@/lib/rotation/scheduler";

const executor = startProcessExecutor();
startProcessRotationScheduler();
startProcessNotificationDispatcher();
startProcessAuditFloodSummaries();
if (!executor) throw new Error("the executor did not start (WHARF_EXECUTOR=off?)");
console.log(`ready ${executor.processId}`);

process.on("SIGTERM", () => {
  void stopProcessLoops().then(() => process.exit(0));
});
