#!/usr/bin/env node
// `node tests/run-parallel.mjs <script> [<script> …]`: runs package.json scripts at once, each with its output held
// and printed whole when it ends (never interleaved), and fails when any of them fails. npm test runs typecheck, lint
// and the unit tests this way: tsc and ESLint's typed rules are single-threaded, so on a 2-core machine one after the
// other left a core idle for a minute and a half.
import { spawn } from "node:child_process";

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error("usage: node tests/run-parallel.mjs <npm script> [<npm script> …]");
  process.exit(2);
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const started = Date.now();
const results = await Promise.all(
  scripts.map(
    (script) =>
      new Promise((resolve) => {
        const chunks = [];
        // FORCE_COLOR: the output goes to a buffer, not a terminal; keep the colours it would have had.
        const child = spawn(npm, ["run", script], {
          env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? "1" : (process.env.FORCE_COLOR ?? "0") },
          stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.on("data", (d) => chunks.push(d));
        child.stderr.on("data", (d) => chunks.push(d));
        child.on("error", (error) => chunks.push(Buffer.from(`${error.message}\n`)));
        child.on("close", (code, signal) => {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          process.stdout.write(Buffer.concat(chunks));
          const ok = code === 0;
          console.log(
            `[run-parallel] ${script}: ${ok ? "passed" : `FAILED (${signal ?? `exit ${code}`})`} at ${seconds} s`,
          );
          resolve(ok);
        });
      }),
  ),
);
process.exit(results.every(Boolean) ? 0 : 1);
