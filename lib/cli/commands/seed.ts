import { seedIfEmpty } from "../seed-demo";

/** Seeds without a sandbox: demo targets point at https://127.0.0.1:6443 and have no credentials. */
export async function run(): Promise<number> {
  const result = await seedIfEmpty({ sandbox: null });
  if (!result.seeded) console.log("The database already has users; nothing seeded.");
  else
    console.log(
      `Seeded. Admin: ${result.adminEmail}${result.generatedPassword ? ` / ${result.generatedPassword}` : ""}`,
    );
  return 0;
}
