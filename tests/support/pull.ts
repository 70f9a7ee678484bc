import { randomBytes, randomUUID } from "node:crypto";
import type { TSyncEventInput } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import * as enrolRoute from "@/app/api/agent/v1/enrol/route";
import * as agentsRoute from "@/app/api/agents/route";
import { callRoute, type Caller } from "./api";

const db = () => dbFor(process.env.DATABASE_URL ?? "");

/** A pull target straight in the test database (pull targets hold no credential). */
export async function createPullTarget(
  opts: { requiredApprovals?: number; allowTokenApprovals?: boolean; name?: string } = {},
): Promise<{ id: string; name: string }> {
  const name = opts.name ?? `pull-${randomBytes(4).toString("hex")}`;
  const t = await db().target.create({
    data: {
      name,
      environment: "dev",
      mode: "pull",
      serverUrl: "https://127.0.0.1:6443",
      requiredApprovals: opts.requiredApprovals ?? 0,
      allowTokenApprovals: opts.allowTokenApprovals ?? false,
    },
  });
  return { id: t.id, name: t.name };
}

export async function createPushTarget(): Promise<{ id: string; name: string }> {
  const name = `push-${randomBytes(4).toString("hex")}`;
  const t = await db().target.create({
    data: { name, environment: "dev", mode: "push", serverUrl: "https://127.0.0.1:6443" },
  });
  return { id: t.id, name: t.name };
}

/** An agent as a client sees it: its id and bearer credential, usable as `callRoute(…, { as })`. */
export interface AgentCaller extends Caller {
  agentId: string;
}

/** Creates an agent for the targets through `POST /api/agents` (as the admin) and enrols it through the enrol route. */
export async function createEnrolledAgent(
  admin: Caller,
  targetIds: string[],
  name = `agent-${randomBytes(4).toString("hex")}`,
): Promise<AgentCaller> {
  const created = await callRoute(agentsRoute.POST, {
    method: "POST",
    path: "/api/agents",
    body: { name, targetIds },
    as: admin,
  });
  if (created.status !== 201) throw new Error(`creating agent: ${created.status} ${created.text}`);
  const enrolled = await callRoute(enrolRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/enrol",
    body: { enrolmentToken: created.body.secret, hostname: "test-host", version: "0.0.0-test" },
  });
  if (enrolled.status !== 201) throw new Error(`enrolling agent: ${enrolled.status} ${enrolled.text}`);
  return {
    agentId: enrolled.body.agentId,
    token: enrolled.body.credential,
    userId: enrolled.body.agentId,
    email: "",
    role: "viewer",
  };
}

/** A sync event with defaults; override what the test is about. */
export function syncEvent(over: Partial<TSyncEventInput> & { targetId: string; repoId: string }): TSyncEventInput {
  return {
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    kind: "sync",
    trigger: "poll",
    result: "synced",
    message: "",
    ...over,
  };
}

export function fakeSha(): string {
  return randomBytes(20).toString("hex");
}
