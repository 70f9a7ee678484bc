// A stand-in for `npm start` in tests of its child lifecycle (lib/cli/child-lifecycle.ts), without migrations, the
// sandbox or a Next build:
//   node --import tsx tests/support/tether-harness.ts serve <port>   a tethered child serving HTTP on <port>; like
//                                                                    start.ts, stops it and exits when an ancestor dies
//   node --import tsx tests/support/tether-harness.ts watch          prints "parent gone" when an ancestor dies
// Prints "child <pid>" once the child listens, and "harness <pid>" as soon as it watches its ancestors: printed
// before, a test that kills the parent on reading it could do so before the watch took its first look, and the
// harness would take the new parent (pid 1) for the original one and never notice.
import { spawnTethered, watchAncestors } from "@/lib/cli/child-lifecycle";

const [mode, port] = process.argv.slice(2);
if (mode === "serve") {
  const server = `require("node:http").createServer((q, r) => r.end("ok")).listen(${Number(port)}, () => console.log("child " + process.pid))`;
  const tether = spawnTethered(process.execPath, ["-e", server], { env: process.env });
  tether.on("exit", () => process.exit(0));
  watchAncestors(() => tether.kill("SIGTERM"), 50);
} else if (mode === "watch") {
  watchAncestors(() => {
    console.log("parent gone");
    process.exit(0);
  }, 50);
  setInterval(() => undefined, 60_000);
} else {
  throw new Error(`unknown mode ${mode}`);
}
console.log(`harness ${process.pid}`);
