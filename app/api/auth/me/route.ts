import { withAuth } from "@/lib/api/with-auth";
import type { SessionUser } from "@/lib/auth/schemas";

export const GET = withAuth(
  async ({ principal }): Promise<{ user: SessionUser; via: string }> => ({
    user: { id: principal.userId, email: principal.email, name: principal.displayName, role: principal.role },
    via: principal.kind,
  }),
  {
    permission: "read",
    docs: {
      tag: "auth",
      summary: "Who the caller is (session or API token) and their role",
      returns: "The principal.",
    },
  },
);
