// A process that starts its own real control plane and then waits to be killed: real-cluster.test.ts kills it with
// SIGKILL (no exit handler runs) and checks that every component and the data dir went with it.
//   node --import tsx tests/support/real-cluster-child.ts
// Prints "ready <data dir>" once the control plane is up.
import { startRealCluster } from "@/lib/kube/real-cluster";

const cluster = await startRealCluster();
console.log(`ready ${cluster.dataDir}`);
setInterval(() => undefined, 60_000);
