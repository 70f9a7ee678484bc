import path from "node:path";

export type DatabaseKind = "sqlite" | "postgresql";

/** Which database a URL names: `file:` is SQLite (the embedded default), `postgres(ql)://` is PostgreSQL. */
export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(
    `Unsupported DATABASE_URL (use file:… for SQLite or postgresql://… for PostgreSQL): ${redactUrl(url)}`,
  );
}

/** The SQLite file a `file:` URL points at, resolved against the working directory like Prisma does. */
export function sqlitePath(url: string): string {
  const p = url.slice("file:".length).replace(/\?.*$/, "");
  return path.resolve(p);
}

/**
 * A URL safe to print: the password is masked. A `file:` URL carries no password and is printed as given: parsed as
 * a URL, the relative `file:./data/wharf.db` would print as the absolute `file:///data/wharf.db`.
 */
export function redactUrl(url: string): string {
  if (url.startsWith("file:")) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:****@");
  }
}
