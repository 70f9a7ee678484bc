// `npm run wharf -- <command> [args]`: Wharf's operator commands. Each command lives in lib/cli/commands/<name>.ts
// and exports `run(args): Promise<number>` (the exit code).
export {};

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: (args: string[]) => Promise<number> }> }> =
  {
    migrate: { summary: "apply pending database migrations", load: () => import("./commands/migrate") },
    seed: { summary: "seed demo data into an empty database", load: () => import("./commands/seed") },
    rekey: {
      summary: "re-encrypt every credential under the current master key",
      load: () => import("./commands/rekey"),
    },
    audit: {
      summary: "audit verify — walk the audit hash chain and report the first broken link",
      load: () => import("./commands/audit"),
    },
    rollups: {
      summary:
        "rollups [days|all] — rebuild the comparison's delivery rollups and their row marks (default: last 90 days)",
      load: () => import("./commands/rollups"),
    },
    "credential-status": {
      summary: "recompute the rotation status boundaries stored on active credentials",
      load: () => import("./commands/credential-status"),
    },
  };

function usage(): void {
  console.log("usage: npm run wharf -- <command>\n");
  for (const [name, c] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(10)} ${c.summary}`);
}

const [name, ...args] = process.argv.slice(2);
const command = name ? COMMANDS[name] : undefined;
if (!command) {
  usage();
  process.exit(name ? 2 : 0);
}
try {
  const code = await (await command.load()).run(args);
  process.exit(code);
} catch (e) {
  console.error(`wharf ${name}: ${(e as Error).message}`);
  process.exit(1);
}
