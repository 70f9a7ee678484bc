"use client";

import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, Td, Th } from "@/components/ui/table";
import { useCreateAgent, useRevokeAgent, useRotateAgent } from "@/lib/agents/hooks/use-agent-mutations";
import type { AgentSecretView, AgentView } from "@/lib/agents/schemas";
import { formatDateTime } from "@/lib/format/date";
import { AgentStateBadge } from "./sync-badges";

/** The one-time secret (enrolment token or rotated credential) and its install snippet, until dismissed. */
function SecretOnce({ created, onDone }: { created: AgentSecretView; onDone: () => void }) {
  const isToken = created.secretKind === "enrolment-token";
  return (
    <div role="status" className="space-y-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
      <p className="font-medium">
        {isToken ? `Enrolment token for ${created.agent.name}` : `New credential for ${created.agent.name}`} — shown
        only once.
      </p>
      <p>
        {isToken
          ? `Valid for 24 hours and for one enrolment. Run this against the cluster the agent serves:`
          : "The previous credential no longer works. Put this one into the agent's Secret and restart it:"}
      </p>
      <code
        data-testid="agent-secret"
        className="block rounded bg-white px-2 py-1 font-mono text-xs break-all select-all"
      >
        {created.secret}
      </code>
      <pre
        data-testid="agent-snippet"
        tabIndex={0}
        className="max-h-72 overflow-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100 select-all"
      >
        {created.snippet}
      </pre>
      <Button variant="secondary" size="sm" onClick={onDone}>
        I have copied it
      </Button>
    </div>
  );
}

/** Agents serving this target; admins create one (one-time enrolment token + snippet), rotate or revoke. */
export function AgentsCard({
  targetId,
  agents,
  canManage,
}: {
  targetId: string;
  agents: AgentView[];
  canManage: boolean;
}) {
  const id = useId();
  const [name, setName] = useState("");
  const [secret, setSecret] = useState<AgentSecretView | null>(null);
  const create = useCreateAgent();
  const rotate = useRotateAgent();
  const revoke = useRevokeAgent();
  const fields = create.error?.fields ?? {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name, targetIds: [targetId] },
      {
        onSuccess: (res) => {
          setSecret(res);
          setName("");
        },
      },
    );
  };
  return (
    <Card>
      <CardHeader
        title="Agents"
        description="An agent runs inside the cluster with its own credential, which reaches only its targets. Wharf holds no cluster credential for pull targets."
      />
      <CardBody className="space-y-4">
        {secret ? <SecretOnce created={secret} onDone={() => setSecret(null)} /> : null}
        {rotate.error || revoke.error ? (
          <p role="alert" className="text-sm text-red-700">
            {(rotate.error ?? revoke.error)?.message}
          </p>
        ) : null}
        {agents.length === 0 ? (
          <p className="text-sm text-slate-500">No agent serves this target yet.</p>
        ) : (
          <Table label="Agents">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>State</Th>
                <Th>Last seen</Th>
                <Th>Version</Th>
                <Th>Credential</Th>
                {canManage ? (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.id}>
                  <Td>
                    {a.name}
                    {a.targets.length > 1 ? (
                      <div className="text-xs text-slate-500">
                        also serves{" "}
                        {a.targets
                          .filter((t) => t.id !== targetId)
                          .map((t) => t.name)
                          .join(", ")}
                      </div>
                    ) : null}
                  </Td>
                  <Td>
                    <AgentStateBadge state={a.state} />
                  </Td>
                  <Td>
                    <RelativeTime value={a.lastSeenAt} />
                  </Td>
                  <Td className="text-xs">
                    {a.version ?? "—"}
                    {a.hostname ? <div className="text-slate-500">{a.hostname}</div> : null}
                  </Td>
                  <Td className="font-mono text-xs">
                    {a.credentialPrefix
                      ? `${a.credentialPrefix}…`
                      : a.enrolmentExpiresAt
                        ? `enrol by ${formatDateTime(a.enrolmentExpiresAt)}`
                        : "—"}
                  </Td>
                  {canManage ? (
                    <Td className="space-x-1">
                      {a.state !== "revoked" ? (
                        <>
                          <Button
                            variant="ghost"
                            size="sm"
                            disabled={rotate.isPending}
                            onClick={() => rotate.mutate(a.id, { onSuccess: setSecret })}
                          >
                            Rotate credential
                          </Button>
                          <ConfirmDialog
                            title={`Revoke ${a.name}?`}
                            description="Its credential stops working at once: the agent can no longer read assignments or report, and nothing syncs until a new agent is installed."
                            confirmText={a.name}
                            confirmLabel="Revoke agent"
                            pending={revoke.isPending}
                            error={revoke.error?.message ?? null}
                            onConfirm={() => revoke.mutate(a.id)}
                            trigger={
                              <Button variant="ghost" size="sm">
                                Revoke
                              </Button>
                            }
                          />
                        </>
                      ) : null}
                    </Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {canManage ? (
          <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Create agent">
            <div className="min-w-64 flex-1">
              <Field
                htmlFor={`${id}-name`}
                label="New agent name"
                hint="Lower-case letters, digits and '-', e.g. prod-eu-1."
                errors={fields.name ?? fields.targetIds}
              >
                <Input
                  id={`${id}-name`}
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  aria-describedby={`${id}-name-help`}
                  aria-invalid={!!(fields.name ?? fields.targetIds)}
                />
              </Field>
            </div>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create agent"}
            </Button>
            {create.error && !fields.name && !fields.targetIds ? (
              <p role="alert" className="w-full text-sm text-red-700">
                {create.error.message}
              </p>
            ) : null}
          </form>
        ) : null}
      </CardBody>
    </Card>
  );
}
