import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { TRole } from "@/lib/auth/roles";

const TONE: Record<TRole, BadgeTone> = { viewer: "neutral", deployer: "blue", approver: "purple", admin: "yellow" };

export function RoleBadge({ role }: { role: TRole }) {
  return <Badge tone={TONE[role]}>{role}</Badge>;
}
