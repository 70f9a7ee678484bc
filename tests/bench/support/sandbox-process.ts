// Runs a sandbox cluster in its own process, as a real API server would be, so a benchmark's client work does not
// share an event loop with the server. Prints one JSON line with the connection details; stops on SIGTERM.
import { startSandbox } from "../../../lib/kube/sandbox";

async function main(): Promise<void> {
  const sandbox = await startSandbox({ port: 0 });
  process.stdout.write(
    `${JSON.stringify({ url: sandbox.url, caPem: sandbox.caPem, adminToken: sandbox.adminToken, kubeconfigPath: sandbox.kubeconfigPath })}\n`,
  );
  const stop = () => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
