// `npm run agent`: the pull agent as a process. Configuration comes from the environment (see lib/agent/config.ts).
import { createKubeClient, inClusterKubeConfig, kubeConfigFromFile, type KubeClient } from "@/lib/kube";
import { startAgent } from "./agent";
import { loadAgentConfig } from "./config";

/** Adds the `credential` key to the agent's own Secret (server-side apply: other keys stay as they are). */
async function storeCredentialInSecret(
  client: KubeClient,
  secret: { namespace: string; name: string },
  credential: string,
): Promise<void> {
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secret.name, namespace: secret.namespace },
      data: { credential: Buffer.from(credential).toString("base64") },
    },
    { fieldManager: "wharf-agent" },
  );
}

async function main(): Promise<void> {
  const config = loadAgentConfig();
  const kubeConfig =
    config.kube.mode === "in-cluster"
      ? inClusterKubeConfig()
      : kubeConfigFromFile(config.kube.path, config.kube.context);
  const kubeClient = createKubeClient(kubeConfig);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const agent = await startAgent({
    wharfUrl: config.wharfUrl,
    ...(config.credential ? { credential: config.credential } : {}),
    ...(config.enrolmentToken ? { enrolmentToken: config.enrolmentToken } : {}),
    stateDir: config.stateDir,
    kubeClient,
    gitCredentials: config.git,
    gitLocalRoots: config.gitLocalRoots,
    registryCredentials: config.registryCredentials,
    log,
    ...(config.credentialSecret
      ? {
          persistCredential: (credential: string) =>
            storeCredentialInSecret(kubeClient, config.credentialSecret!, credential),
        }
      : {}),
  });
  log(
    `wharf agent started: ${config.wharfUrl}, state in ${config.stateDir}, cluster via ${config.kube.mode === "in-cluster" ? "service account" : config.kube.path}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    void agent
      .stop()
      .then(() => kubeClient.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
