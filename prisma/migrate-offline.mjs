// Adapted from the team recipe (shared/tools); owned here. See prisma/migrate-dev.mjs for the usual entry point.
// Offline replacement for `prisma migrate dev|deploy` / `db push` / `migrate diff`,
// driving @prisma/schema-engine-wasm (npm) through a Prisma driver adapter,
// so no native schema-engine binary (binaries.prisma.sh) is needed.
// Usage: node prisma/migrate-offline.mjs <dev NAME|deploy|push|diff> [schemaPath]
import fs from "node:fs";
import path from "node:path";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const [cmd, arg, schemaArg] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL not set");
const isPg = /^postgres(ql)?:/.test(url);
const schemaPath = path.resolve(
  schemaArg ?? process.env.PRISMA_SCHEMA ?? (isPg ? "prisma/postgresql/schema.prisma" : "prisma/sqlite/schema.prisma"),
);
const migrationsDir = path.join(path.dirname(schemaPath), "migrations");

// 1. load the wasm schema engine (Node 20 has no ESM wasm imports, so instantiate by hand)
const wasmPath = new URL("schema_engine_bg.wasm", import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), { "./schema_engine_bg.js": bg });
bg.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start?.();

// 2. driver adapter factory (must be migration-aware: has connectToShadowDb)
let factory;
if (isPg) {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { default: pg } = await import("pg");
  // Work-around 1: the engine's catalog queries return pg's internal "char" type (OID 18), which
  // @prisma/adapter-pg rejects (UnsupportedNativeDataType) -> report it as text (OID 25).
  const fix = (res) => {
    for (const f of res?.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25;
    return res;
  };
  class CharAsTextClient extends pg.Client {
    query(...args) {
      const cb = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
      if (cb) return super.query(...args, (err, res) => cb(err, fix(res)));
      const r = super.query(...args);
      return r && typeof r.then === "function" ? r.then(fix) : r;
    }
  }
  // Work-around 2: pass discrete fields, NOT {connectionString}: PrismaPg.connectToShadowDb() does
  // new Pool({...config, database: shadow}) and pg lets connectionString override `database`.
  const u = new URL(url);
  // (URL query params such as sslmode are not carried over by this simple parser)
  const cfg = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
  };
  // (a plain config, not an external pg.Pool: pg-pool hides `password` from {...pool.options},
  //  so the shadow-DB pool would connect without a password)
  factory = new PrismaPg({ ...cfg, Client: CharAsTextClient });
  // Work-around 3: PrismaPg.connectToShadowDb() drops the shadow DB *before* closing its own pool
  // ("database ... is being accessed by other users") -> own implementation, close first, then DROP.
  // Work-around 4: PrismaPg's executeScript splits scripts on every ";", which breaks dollar-quoted function
  // bodies (the audit table's append-only trigger) -> send a whole script in one simple-protocol query.
  const wholeScripts = (a) => {
    a.executeScript = async (script) => {
      try {
        await a.client.query(script);
      } catch (error) {
        a.onError(error);
      }
    };
    return a;
  };
  const connect = factory.connect.bind(factory);
  factory.connect = async () => wholeScripts(await connect());
  factory.connectToShadowDb = async () => {
    const admin = await factory.connect();
    const name = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = wholeScripts(await new PrismaPg({ ...cfg, database: name, Client: CharAsTextClient }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  };
} else {
  const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
  factory = new PrismaBetterSqlite3({ url }); // relative file: paths resolve against process.cwd()
}
if (!isPg) {
  // Work-around: when replaying migrations on the SQLite shadow DB the wasm engine sends whole
  // multi-statement scripts through executeRaw (better-sqlite3 throws "more than one statement")
  // -> route parameterless multi-statement SQL to executeScript.
  const connectShadow = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => {
    const a = await connectShadow();
    const raw = a.executeRaw.bind(a);
    a.executeRaw = async (q) => {
      if (!q.args?.length && /;\s*\S/.test(q.sql.trim().replace(/;\s*$/, ""))) {
        await a.executeScript(q.sql);
        return 0;
      }
      return raw(q);
    };
    return a;
  };
}
const adapter = bindMigrationAwareSqlAdapterFactory(factory);

const schemaFiles = { files: [{ path: schemaPath, content: fs.readFileSync(schemaPath, "utf8") }] };
const filters = { externalTables: [], externalEnums: [] };
const engine = await bg.SchemaEngine.new(
  { datamodels: schemaFiles.files.map((f) => [f.path, f.content]) },
  (m) => process.env.DEBUG && console.error(m),
  adapter,
);

function listMigrations() {
  fs.mkdirSync(migrationsDir, { recursive: true });
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const dirs = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: "migration_lock.toml",
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null,
    },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => {
      const p = path.join(migrationsDir, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: fs.existsSync(p)
            ? { tag: "ok", value: fs.readFileSync(p, "utf8") }
            : { tag: "error", value: "missing migration.sql" },
        },
      };
    }),
  };
}

try {
  if (cmd === "dev") {
    // like `prisma migrate dev`: diagnose first (replays history on the adapter's shadow DB; result is cached for createMigration)
    await engine.applyMigrations({ migrationsList: listMigrations(), filters }); // creates _prisma_migrations + applies pending
    const diag = await engine.devDiagnostic({ migrationsList: listMigrations(), filters });
    if (diag.action.tag === "reset") throw new Error("migrate dev wants a reset: " + diag.action.reason);
    const out = await engine.createMigration({
      draft: false,
      migrationName: arg ?? "migration",
      migrationsList: listMigrations(),
      schema: schemaFiles,
      filters,
    });
    if (out.migrationScript) {
      const dir = path.join(migrationsDir, out.generatedMigrationName);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `migration.${out.extension}`), out.migrationScript);
      fs.writeFileSync(
        path.join(migrationsDir, "migration_lock.toml"),
        `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${out.connectorType}"\n`,
      );
      console.log("created", out.generatedMigrationName);
    } else console.log("no schema changes");
    const applied = await engine.applyMigrations({ migrationsList: listMigrations(), filters });
    console.log("applied", applied.appliedMigrationNames);
  } else if (cmd === "deploy") {
    const applied = await engine.applyMigrations({ migrationsList: listMigrations(), filters });
    console.log("applied", applied.appliedMigrationNames);
  } else if (cmd === "push") {
    console.log(await engine.schemaPush({ force: arg === "--force", schema: schemaFiles, filters }));
  } else if (cmd === "diff") {
    const r = await engine.diff({
      from: { tag: "empty" },
      to: { tag: "schemaDatamodel", ...schemaFiles },
      script: true,
      exitCode: null,
      filters,
    });
    process.stdout.write(r.stdout ?? "");
  } else {
    throw new Error("usage: dev NAME | deploy | push [--force] | diff");
  }
} catch (e) {
  const reg = adapter.errorRegistry?.registeredErrors?.find(Boolean);
  console.error(e.message);
  if (reg) console.error("adapter error:", reg.error, reg.error?.cause);
  process.exitCode = 1;
} finally {
  engine.free();
}
process.exit(process.exitCode ?? 0); // pg pools would otherwise keep the process alive
