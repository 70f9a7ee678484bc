"use client";

import { useRouter } from "next/navigation";
import { RequestDialog } from "@/components/deployments/request-dialog";
import { Button } from "@/components/ui/button";
import type { ApplicationView } from "@/lib/applications/schemas";
import { useRequestDeployment } from "@/lib/deployments/hooks/use-request-deployment";

/**
 * "Deploy": requests a deployment of a push application's Git source (the newest commit of its ref) and opens the
 * new deployment's page, where its preview and the target's approval flow run. `rule` says what happens next.
 */
export function DeployApplicationButton({ app, rule }: { app: ApplicationView; rule: string }) {
  const router = useRouter();
  const request = useRequestDeployment();
  const { repoUrl, ref, path } = app.source;
  return (
    <RequestDialog
      trigger={<Button>Deploy</Button>}
      title={`Deploy ${app.name} to ${app.target.name}`}
      description={
        <>
          Wharf fetches <span className="break-all font-mono">{repoUrl}</span> at{" "}
          <span className="font-mono">{ref}</span>
          {path && path !== "." ? (
            <>
              , folder <span className="font-mono">{path}</span>
            </>
          ) : null}
          , renders it and shows the preview. {rule}.
        </>
      }
      submitLabel="Request deployment"
      pendingLabel="Fetching and rendering…"
      pending={request.isPending}
      error={request.error}
      onClose={() => request.reset()}
      onSubmit={(reason) => {
        if (!repoUrl) return;
        request.mutate(
          {
            targetId: app.target.id,
            application: app.name,
            source: { kind: "git", url: repoUrl, ref: ref ?? "main", path: path ?? "." },
            reason,
          },
          { onSuccess: (created) => router.push(`/deployments/${created.id}`) },
        );
      }}
    />
  );
}
