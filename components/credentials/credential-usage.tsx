"use client";

import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import { Table, Td, Th } from "@/components/ui/table";
import { purposeHref } from "@/lib/audit/views";
import { useCredentialUsage } from "@/lib/audit/hooks/use-credential-access";

/**
 * "Who used this credential in the last 30 days": distinct actors that decrypted this credential id, with counts,
 * last use and purposes. Only this credential: a replaced predecessor has its own id and its own rows, reachable
 * from the access log.
 */
export function CredentialUsage({ credentialId }: { credentialId: string }) {
  const query = useCredentialUsage(credentialId);
  const accessHref = `/credentials/access?credentialId=${encodeURIComponent(credentialId)}`;
  return (
    <div data-testid="credential-usage">
      <div className="mb-2 flex items-baseline justify-between gap-3">
        <h3 className="text-sm font-semibold text-slate-800">Who used this credential in the last 30 days</h3>
        <Link href={accessHref} className="text-sm text-blue-700 hover:underline">
          Full access log
        </Link>
      </div>
      <p className="mb-2 text-xs text-slate-500">
        Decrypts of this credential only; replaced credentials keep their own history in the access log.
      </p>
      {query.isPending ? (
        <p className="text-sm text-slate-500" aria-busy="true">
          Loading…
        </p>
      ) : query.isError ? (
        <p role="alert" className="text-sm text-red-600">
          {query.error.message}
        </p>
      ) : query.data.actors.length === 0 ? (
        <p className="text-sm text-slate-600">
          Nobody used it in the last 30 days.
          {query.data.refused > 0
            ? ` ${query.data.refused} refused or failed attempt${query.data.refused === 1 ? "" : "s"}.`
            : ""}
        </p>
      ) : (
        <>
          <Table label="Credential users">
            <thead>
              <tr>
                <Th>Actor</Th>
                <Th>Uses</Th>
                <Th>Last use</Th>
                <Th>Purposes</Th>
                <Th>Recent</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {query.data.actors.map((a) => (
                <tr key={`${a.actor.kind}:${a.actor.id ?? a.actor.name}`}>
                  <Td>
                    <span className="text-slate-500">{a.actor.kind}</span> {a.actor.name}
                  </Td>
                  <Td>{a.count}</Td>
                  <Td>
                    <DateTime value={a.lastAt} precision="minute" />
                  </Td>
                  <Td className="text-xs">{a.purposes.map((p) => `${p.kind} ×${p.count}`).join(", ")}</Td>
                  <Td className="text-xs">
                    {a.recent.map((p, i) => {
                      const href = purposeHref(p);
                      return href ? (
                        <Link
                          key={i}
                          href={href}
                          className="mr-2 font-mono text-blue-700 hover:underline"
                          title={`${p.kind} ${p.id ?? ""}`}
                        >
                          {(p.id ?? "").slice(0, 8)}
                        </Link>
                      ) : null;
                    })}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <p className="mt-2 text-xs text-slate-500">
            {query.data.total} use{query.data.total === 1 ? "" : "s"}
            {query.data.refused > 0 ? `, ${query.data.refused} refused or failed` : ""}.
          </p>
        </>
      )}
    </div>
  );
}
