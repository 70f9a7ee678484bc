import { readJson, withAuth } from "@/lib/api/with-auth";
import { importTargetsFromKubeconfig, previewKubeconfigImport } from "@/lib/credentials/data/import-targets";
import { ZKubeconfigImport } from "@/lib/credentials/schemas";

export const POST = withAuth(
  async ({ req, principal, actor, request }) => {
    const input = ZKubeconfigImport.parse(await readJson(req));
    if (input.dryRun) return previewKubeconfigImport({ kubeconfig: input.kubeconfig });
    const result = await importTargetsFromKubeconfig({
      kubeconfig: input.kubeconfig,
      contexts: input.contexts,
      actor,
      actorUserId: principal.userId,
      request,
    });
    return Response.json(result, { status: 201 });
  },
  {
    permission: "targets.manage",
    docs: {
      tag: "targets",
      summary: "{kubeconfig, dryRun: true} previews contexts; {kubeconfig, contexts} creates targets",
      body: ZKubeconfigImport,
      returns: "The preview or the created targets.",
    },
  },
);
