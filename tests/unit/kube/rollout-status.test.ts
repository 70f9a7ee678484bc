import { describe, expect, it } from "vitest";
import { daemonSetStatus, deploymentStatus, jobStatus, statefulSetStatus } from "@/lib/kube/rollout";
import type { KubeObject } from "@/lib/kube/types";

const obj = (kind: string, spec: unknown, status: unknown, generation = 2): KubeObject => ({
  apiVersion: kind === "Job" ? "batch/v1" : "apps/v1",
  kind,
  metadata: { name: "web", generation },
  spec,
  status,
});

describe("deploymentStatus", () => {
  it("waits for the new generation to be observed", () => {
    expect(deploymentStatus(obj("Deployment", { replicas: 2 }, { observedGeneration: 1 })).message).toBe(
      "Waiting for deployment spec update to be observed",
    );
  });

  it("reports progress and readiness", () => {
    const progressing = deploymentStatus(
      obj(
        "Deployment",
        { replicas: 3 },
        { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1 },
      ),
    );
    expect(progressing).toMatchObject({ state: "progressing", ready: 1, desired: 3 });
    expect(progressing.message).toContain("1 of 3 updated replicas are available");
    expect(
      deploymentStatus(
        obj(
          "Deployment",
          { replicas: 3 },
          { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 },
        ),
      ),
    ).toMatchObject({ state: "ready", ready: 3, desired: 3 });
  });

  it("fails on ProgressDeadlineExceeded", () => {
    const status = deploymentStatus(
      obj(
        "Deployment",
        { replicas: 1 },
        {
          observedGeneration: 2,
          conditions: [
            {
              type: "Progressing",
              status: "False",
              reason: "ProgressDeadlineExceeded",
              message: 'ReplicaSet "web-1" has timed out progressing.',
            },
          ],
        },
      ),
    );
    expect(status.state).toBe("failed");
    expect(status.message).toBe(
      'deployment "web" exceeded its progress deadline (ReplicaSet "web-1" has timed out progressing.)',
    );
  });
});

describe("other workloads", () => {
  it("tracks StatefulSets by ready replicas and revision", () => {
    expect(
      statefulSetStatus(obj("StatefulSet", { replicas: 2 }, { observedGeneration: 2, readyReplicas: 1 })).state,
    ).toBe("progressing");
    expect(
      statefulSetStatus(
        obj(
          "StatefulSet",
          { replicas: 2 },
          { observedGeneration: 2, readyReplicas: 2, currentRevision: "a", updateRevision: "b" },
        ),
      ).state,
    ).toBe("progressing");
    expect(
      statefulSetStatus(
        obj(
          "StatefulSet",
          { replicas: 2 },
          { observedGeneration: 2, readyReplicas: 2, currentRevision: "b", updateRevision: "b" },
        ),
      ).state,
    ).toBe("ready");
  });

  it("tracks DaemonSets by scheduled and available pods", () => {
    expect(
      daemonSetStatus(
        obj(
          "DaemonSet",
          {},
          { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 },
        ),
      ).state,
    ).toBe("progressing");
    expect(
      daemonSetStatus(
        obj(
          "DaemonSet",
          {},
          { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 },
        ),
      ).state,
    ).toBe("ready");
  });

  it("tracks Jobs to completion or failure", () => {
    expect(jobStatus(obj("Job", { completions: 2 }, { succeeded: 1 }))).toMatchObject({
      state: "progressing",
      ready: 1,
      desired: 2,
    });
    expect(jobStatus(obj("Job", {}, { conditions: [{ type: "Complete", status: "True" }] })).state).toBe("ready");
    expect(
      jobStatus(
        obj(
          "Job",
          {},
          {
            conditions: [
              {
                type: "Failed",
                status: "True",
                reason: "BackoffLimitExceeded",
                message: "Job has reached the specified backoff limit",
              },
            ],
          },
        ),
      ),
    ).toMatchObject({
      state: "failed",
      message: 'job "web" failed (BackoffLimitExceeded): Job has reached the specified backoff limit',
    });
  });
});
