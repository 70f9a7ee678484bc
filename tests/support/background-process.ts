// One dashboard process's background work, without the HTTP server: the push executor and the rotation/notification
// scheduler, started through the same entry points instrumentation.ts calls in `next start`. The two-process test runs
// two of these against one PostgreSQL database:
//   tsx --conditions=react-server tests/support/background-process.ts
// Prints "ready <executor process id>" once both loops run; SIGTERM stops them cleanly.
import "reflect-metadata";
import { startProcessExecutor } from "@/lib/deployments/executor";
import { startProcessScheduler } from "@/lib/rotation/scheduler";

const executor = startProcessExecutor();
const scheduler = startProcessScheduler();
if (!executor) throw new Error("the executor did not start (WHARF_EXECUTOR=off?)");
console.log(`ready ${executor.processId}`);

process.on("SIGTERM", () => {
  void Promise.all([executor.stop(), scheduler?.stop()]).then(() => process.exit(0));
});
