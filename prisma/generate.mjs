// Writes the two provider schemas from prisma/models.prisma and generates both Prisma clients.
// Runs offline: the Prisma CLI only needs the schema engine for migrations, so a stub answers its version check.
// Usage: node prisma/generate.mjs [--check]   (--check: exit 1 when a written schema is out of date; no generate)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
const providers = ["sqlite", "postgresql"];

/** The full schema for one provider: a header, then the shared models verbatim. */
export function renderSchema(provider, models) {
  return `// GENERATED from prisma/models.prisma by prisma/generate.mjs — do not edit.
generator client {
  provider               = "prisma-client"
  output                 = "../../lib/db/generated/${provider}"
  moduleFormat           = "esm"
  runtime                = "nodejs"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

const models = fs.readFileSync(path.join(prismaDir, "models.prisma"), "utf8");
const check = process.argv.includes("--check");
let stale = false;
for (const provider of providers) {
  const file = path.join(prismaDir, provider, "schema.prisma");
  const want = renderSchema(provider, models);
  const have = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
  if (have === want) continue;
  if (check) {
    console.error(`${path.relative(process.cwd(), file)} is out of date: run npm run db:generate`);
    stale = true;
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, want);
  }
}
if (check) process.exit(stale ? 1 : 0);

const prismaBin = path.join(prismaDir, "..", "node_modules", ".bin", "prisma");
for (const provider of providers) {
  execFileSync(prismaBin, ["generate", "--schema", path.join(prismaDir, provider, "schema.prisma")], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: path.join(prismaDir, "no-schema-engine"),
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  });
}
console.log("prisma: generated sqlite and postgresql clients");
