import "server-only";
import { env } from "@/lib/env";
import { dbFor, type Db } from "./client";

export type { Db, Tx } from "./client";

/** The database of this Wharf process, chosen by DATABASE_URL. Only `data/` modules call this. */
export function db(): Db {
  return dbFor(env().DATABASE_URL);
}
