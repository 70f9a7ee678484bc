import { z } from "zod";
import { withAuth } from "@/lib/api/with-auth";
import { ZSessionUser, type SessionUser } from "@/lib/auth/schemas";

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
      response: z.object({ user: ZSessionUser, via: z.enum(["user", "api-token"]) }),
    },
  },
);
