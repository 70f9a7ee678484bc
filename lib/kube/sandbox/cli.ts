/** `npm run sandbox`: a persisted sandbox cluster on a fixed port, until SIGINT/SIGTERM. */
import path from "node:path";
import { startSandbox } from "./index";

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.WHARF_SANDBOX_DIR ?? "./data/sandbox");
  const port = Number(process.env.WHARF_SANDBOX_PORT ?? "6443");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`WHARF_SANDBOX_PORT is not a port: ${process.env.WHARF_SANDBOX_PORT ?? ""}`);
  const sandbox = await startSandbox({ dataDir, port, persist: true });
  console.log(`Sandbox cluster listening on ${sandbox.url}`);
  console.log(`Kubeconfig: ${sandbox.kubeconfigPath}`);
  console.log(`Try: kubectl --kubeconfig ${sandbox.kubeconfigPath} get ns`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox (state saved in ${dataDir})`);
    sandbox.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
