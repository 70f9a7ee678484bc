import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { TargetView } from "../schemas";
import { TARGET_INCLUDE, toTargetView, type TargetRow } from "./to-target-view";

export interface GetTargetOptions {
  id: string;
}

/** The target row with its policy, or a 404 NOT_FOUND. `tx` lets writers read inside their transaction. */
export async function getTargetRow({ id }: GetTargetOptions, tx?: Tx): Promise<TargetRow> {
  const row = await (tx ?? db()).target.findUnique({ where: { id }, include: TARGET_INCLUDE });
  if (!row) throw new AppError("NOT_FOUND", "No target with this id exists.");
  return row;
}

/** One target as the API returns it; 404 NOT_FOUND when the id is unknown. */
export async function getTarget(opts: GetTargetOptions): Promise<TargetView> {
  return toTargetView(await getTargetRow(opts));
}
