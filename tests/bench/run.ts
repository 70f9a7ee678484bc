// `npm run bench -- <name>` runs tests/bench/<name>.ts's exported run().
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return readdirSync(here)
    .filter((file) => file.endsWith(".ts") && file !== "run.ts" && !file.endsWith(".d.ts"))
    .map((file) => file.slice(0, -3))
    .sort();
}

async function main(): Promise<void> {
  const name = process.argv[2];
  const names = available();
  if (!name || !names.includes(name)) {
    console.error(
      `${name ? `Unknown benchmark "${name}". ` : ""}Usage: npm run bench -- <name>\nAvailable: ${names.join(", ") || "(none)"}`,
    );
    process.exitCode = 1;
    return;
  }
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== "function") throw new Error(`tests/bench/${name}.ts does not export run()`);
  await mod.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
