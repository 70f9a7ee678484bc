import { describe, expect, it } from "vitest";
import { databaseKind, redactUrl, sqlitePath } from "@/lib/db/url";

describe("database URLs", () => {
  it("prints a relative SQLite URL as given, not as an absolute path", () => {
    expect(redactUrl("file:./data/wharf.db")).toBe("file:./data/wharf.db");
    expect(sqlitePath("file:./data/wharf.db?connection_limit=1")).toBe(`${process.cwd()}/data/wharf.db`);
  });

  it("masks a PostgreSQL password, and keeps a URL without one unchanged", () => {
    expect(redactUrl("postgresql://wharf:s3cret@db.internal:5432/wharf")).toBe(
      "postgresql://wharf:****@db.internal:5432/wharf",
    );
    expect(redactUrl("postgresql://postgres@127.0.0.1:5432/test")).toBe("postgresql://postgres@127.0.0.1:5432/test");
    expect(redactUrl("postgres://u:p%40ss@h/d")).not.toContain("p%40ss");
  });

  it("tells the two databases apart and refuses anything else without echoing its password", () => {
    expect(databaseKind("file:./x.db")).toBe("sqlite");
    expect(databaseKind("postgres://h/d")).toBe("postgresql");
    expect(() => databaseKind("mysql://root:hunter2@h/d")).toThrow(/mysql:\/\/root:\*\*\*\*@h\/d/);
  });
});
