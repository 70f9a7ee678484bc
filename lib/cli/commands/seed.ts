import { seedIfEmpty } from "../seed-demo";

export async function run(): Promise<number> {
  const result = await seedIfEmpty({ serverUrl: "https://127.0.0.1:6443", caBundle: null });
  if (!result.seeded) console.log("The database already has users; nothing seeded.");
  else console.log(`Seeded. Admin: ${result.adminEmail}${result.generatedPassword ? ` / ${result.generatedPassword}` : ""}`);
  return 0;
}
