import { readJson, withAuth } from "@/lib/api/with-auth";
import { importTargetsFromKubeconfig, previewKubeconfigImport } from "@/lib/credentials/data/import-targets";
import { z } from "zod";
import { ZImportResult, ZKubeconfigImport, ZKubeconfigPreview } from "@/lib/credentials/schemas";

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
      returns:
        "With dryRun: the preview (each context's label and cluster-admin verdict, checked before anything is stored; nothing is written). Otherwise (201) the created targets.",
      response: z.union([ZKubeconfigPreview, ZImportResult]),
    },
  },
);
