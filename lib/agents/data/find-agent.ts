import "server-only";
import { db } from "@/lib/db";

/** An authenticated agent and the pull targets its credential reaches. */
export interface AgentPrincipal {
  agentId: string;
  name: string;
  targetIds: string[];
  /** SHA-256 of the credential the request was made with: a long poll held past a rotation checks it is still current. */
  credentialHash: string;
}

/** The live (not revoked) agent holding the credential with this SHA-256, or null. */
export async function findAgentByCredentialHash(credentialHash: string): Promise<AgentPrincipal | null> {
  const row = await db().agent.findUnique({
    where: { credentialHash },
    select: { id: true, name: true, revokedAt: true, targets: { select: { targetId: true } } },
  });
  if (!row || row.revokedAt) return null;
  return { agentId: row.id, name: row.name, targetIds: row.targets.map((t) => t.targetId), credentialHash };
}
