import { getApplication } from "@/lib/applications/data/get-application";
import { ZApplicationView } from "@/lib/applications/schemas";
import { withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(async ({ params }) => getApplication({ id: params.id ?? "" }), {
  permission: "read",
  docs: { tag: "applications", summary: "One application", returns: "The application.", response: ZApplicationView },
});
