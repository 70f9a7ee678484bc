// The tether between `npm start` and one of its children (see ./child-lifecycle.ts):
//   node tether-main.ts <command> [args…]
// Runs the command and stops it when stdin closes — the parent holds the other end of that pipe and the kernel closes
// it when the parent dies, even by SIGKILL. Forwards SIGTERM/SIGINT; exits with the command's status.
import { spawn } from "node:child_process";
import os from "node:os";

/** How long the command gets to stop on SIGTERM before it is killed. */
const GRACE_MS = 10_000;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: tether-main.ts <command> [args…]");
  process.exit(2);
}

const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], env: process.env });
let exited = false;

function stop(signal: NodeJS.Signals): void {
  if (exited) return;
  child.kill(signal);
  setTimeout(() => child.kill("SIGKILL"), GRACE_MS).unref();
}

child.on("error", (err) => {
  console.error(`[wharf] could not start ${command}: ${err.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  exited = true;
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
});

// The parent never writes; end of stream (or an error on it) means the parent is gone.
process.stdin.on("end", () => stop("SIGTERM"));
process.stdin.on("error", () => stop("SIGTERM"));
process.stdin.resume();
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
