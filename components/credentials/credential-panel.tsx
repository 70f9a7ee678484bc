"use client";

import { useSearchParams } from "next/navigation";
import { useState, type ReactNode } from "react";
import { RotateNowButton } from "@/components/rotation/rotate-now-button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, Td, Th } from "@/components/ui/table";
import { can, roleAtLeast, type TRole } from "@/lib/auth/roles";
import { useTargetCredentials } from "@/lib/credentials/hooks/use-target-credentials";
import { CREDENTIAL_KIND_LABELS, type CredentialView } from "@/lib/credentials/schemas";
import { formatDays } from "@/lib/format/duration";
import { CredentialForm } from "./credential-form";
import { CredentialUsage } from "./credential-usage";
import { ClusterAdminBadge } from "./cluster-admin-badge";
import { CredentialStatusBadge } from "./status-badge";

const PULL_NOTE = "Pull targets hold no cluster credential in Wharf — the in-cluster agent syncs them.";

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    // min-w-0 and break-words: a long label ("shop-dev service-account-token") wraps in its column on a phone.
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-slate-800">{children}</dd>
    </div>
  );
}

/** The active credential's details on the card (exported for its unit test). */
export function ActiveCredential({ c }: { c: CredentialView }) {
  return (
    <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4" data-testid="active-credential">
      <Detail label="Label">{c.label}</Detail>
      <Detail label="Kind">{CREDENTIAL_KIND_LABELS[c.kind]}</Detail>
      <Detail label="Fingerprint">
        <code className="font-mono">{c.fingerprint}</code>
      </Detail>
      <Detail label="Status">
        <span className="flex flex-wrap gap-1">
          {c.status ? <CredentialStatusBadge status={c.status} /> : "—"}
          <ClusterAdminBadge clusterAdmin={c.clusterAdmin} />
        </span>
        {c.clusterAdmin ? (
          <span className="mt-1 block text-xs text-red-700">
            Can do anything in the cluster; prefer a namespaced service account.
          </span>
        ) : null}
      </Detail>
      <Detail label="Policy">{c.policyName ?? "None"}</Detail>
      <Detail label="Subject">{c.subject ?? "—"}</Detail>
      <Detail label="Issued">
        <DateTime value={c.issuedAt} precision="minute" />
      </Detail>
      <Detail label="Expires">
        <DateTime value={c.expiresAt} precision="minute" />
      </Detail>
      <Detail label="Last rotated">
        <DateTime value={c.lastRotatedAt} precision="minute" />{" "}
        <span className="text-xs text-slate-500">({c.origin})</span>
      </Detail>
      <Detail label="Next rotation">
        <DateTime value={c.nextRotationAt} precision="minute" />
        {c.autoRotate ? <span className="block text-xs text-slate-500">automatic</span> : null}
      </Detail>
      <Detail label="Rotate by">
        <DateTime value={c.nextRotationDue} precision="minute" />
      </Detail>
    </dl>
  );
}

/** The last automatic rotation's failure: the API server's own message and when Wharf tries again. */
function RotationFailure({ c }: { c: CredentialView }) {
  if (!c.rotationError) return null;
  return (
    <div
      role="alert"
      className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800"
      data-testid="rotation-error"
    >
      <p className="font-medium">
        Automatic rotation failed{c.rotationAttempts > 1 ? ` (${c.rotationAttempts} attempts)` : ""}; the current
        credential stays in use.
      </p>
      <p className="mt-1 break-words font-mono text-xs">{c.rotationError}</p>
      <p className="mt-1 text-xs">
        Failed <RelativeTime value={c.rotationFailedAt} never="—" /> · next attempt{" "}
        <RelativeTime value={c.nextRotationAttemptAt} never="—" />
      </p>
    </div>
  );
}

/**
 * A target's cluster credential on its detail page: the active credential's metadata and status, the history of
 * replaced ones, and for people who may manage credentials a form to store or replace it. Material is never shown:
 * the API does not return it.
 */
export function CredentialPanel(props: { targetId: string; mode: "push" | "pull"; role: TRole }) {
  const isPush = props.mode === "push";
  const query = useTargetCredentials(props.targetId, { enabled: isPush });
  // `?credential=replace` (from "Rotate now" on the rotation page for kinds Wharf cannot mint) opens the form.
  const searchParams = useSearchParams();
  const active = query.data?.active ?? null;
  // Storing a first credential is an admin's job; replacing (and rotating) is allowed from the policy's minimum role.
  const canStore = can(props.role, "credentials.manage");
  const canReplace =
    can(props.role, "credentials.replace") && roleAtLeast(props.role, query.data?.policy?.minReplaceRole ?? "admin");
  const canManage = active ? canReplace : canStore;
  // "rotate": opened by "Rotate now" (here or on the rotation page) for a kind Wharf cannot mint; "replace": by hand.
  const [editing, setEditing] = useState<false | "rotate" | "replace">(
    canReplace && searchParams.get("credential") === "replace" ? "rotate" : false,
  );
  const [savedNote, setSavedNote] = useState<string | null>(null);

  if (!isPush) {
    return (
      <Card>
        <CardHeader title="Cluster credential" />
        <CardBody>
          <p className="text-sm text-slate-600">{PULL_NOTE}</p>
        </CardBody>
      </Card>
    );
  }

  const openForm = (why: "rotate" | "replace") => {
    setEditing(why);
    setSavedNote(null);
  };
  const action =
    canManage && !editing && query.data ? (
      <div className="flex items-start gap-2">
        {active ? (
          <RotateNowButton
            credentialId={active.id}
            targetId={props.targetId}
            kind={active.kind}
            targetName={query.data.targetName}
            onReplace={() => openForm("rotate")}
          />
        ) : null}
        <Button size="sm" variant={active ? "secondary" : "primary"} onClick={() => openForm("replace")}>
          {active ? "Replace credential" : "Store credential"}
        </Button>
      </div>
    ) : null;

  return (
    <Card>
      <CardHeader
        title="Cluster credential"
        description={
          query.data?.policy
            ? `Policy: ${query.data.policy.name} (rotate every ${formatDays(query.data.policy.maxAgeDays)})`
            : "No credential policy applies."
        }
        actions={action}
      />
      <CardBody className="space-y-6">
        {query.isPending ? (
          <p className="text-sm text-slate-500" aria-busy="true">
            Loading credential…
          </p>
        ) : query.isError ? (
          <p role="alert" className="text-sm text-red-600">
            {query.error.message}
          </p>
        ) : active ? (
          <>
            <RotationFailure c={active} />
            <ActiveCredential c={active} />
          </>
        ) : (
          <EmptyState
            title="No credential stored"
            description="Deployments to this push target need a cluster credential."
          />
        )}

        {savedNote ? (
          <p role="status" className="text-sm text-emerald-700">
            {savedNote}
          </p>
        ) : null}

        {/* Waits for the credential, so the form starts with its kind. */}
        {editing && !query.isPending ? (
          <div className="rounded-md border border-slate-200 p-4">
            <CredentialForm
              targetId={props.targetId}
              replacing={!!active}
              {...(active ? { initialKind: active.kind, initialLabel: active.label } : {})}
              {...(active && editing === "rotate"
                ? {
                    note: `Wharf cannot mint a new ${CREDENTIAL_KIND_LABELS[active.kind].toLowerCase()}: rotating it means pasting new material from where it was issued. The current one stays in use until you save.`,
                  }
                : {})}
              onCancel={() => setEditing(false)}
              onDone={(saved) => {
                setEditing(false);
                setSavedNote(
                  `Saved. Fingerprint ${saved.fingerprint}; the material is encrypted and will not be shown again.`,
                );
              }}
            />
          </div>
        ) : null}

        {active ? <CredentialUsage credentialId={active.id} /> : null}

        {query.data && query.data.history.length > 0 ? (
          <div>
            <h3 className="mb-2 text-sm font-semibold text-slate-800">History</h3>
            <Table label="Credential history">
              <thead>
                <tr>
                  <Th>Kind</Th>
                  <Th>Fingerprint</Th>
                  <Th>Stored</Th>
                  <Th>Expires</Th>
                  <Th>Replaced</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {query.data.history.map((h) => (
                  <tr key={h.id}>
                    <Td>{CREDENTIAL_KIND_LABELS[h.kind]}</Td>
                    <Td className="font-mono">{h.fingerprint}</Td>
                    <Td>
                      <DateTime value={h.lastRotatedAt} precision="minute" />
                    </Td>
                    <Td>
                      <DateTime value={h.expiresAt} precision="minute" />
                    </Td>
                    <Td>
                      <DateTime value={h.supersededAt} precision="minute" />
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
