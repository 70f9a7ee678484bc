import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ApplicationView } from "../schemas";
import { APPLICATION_INCLUDE, toApplicationViews } from "./to-application-view";

/** One application as the API returns it; 404 NOT_FOUND when the id is unknown. */
export async function getApplication(opts: { id: string }): Promise<ApplicationView> {
  const row = await db().application.findUnique({ where: { id: opts.id }, include: APPLICATION_INCLUDE });
  if (!row) throw new AppError("NOT_FOUND", "There is no application with this id.");
  const [view] = await toApplicationViews([row]);
  return view!;
}
