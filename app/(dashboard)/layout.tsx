import Link from "next/link";
import type { ReactNode } from "react";
import { Nav, type NavItem } from "@/components/layout/nav";
import { SignOutButton } from "@/components/layout/sign-out-button";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const principal = await requirePrincipal();
  const items: NavItem[] = [
    { href: "/", label: "Overview" },
    { href: "/targets", label: "Targets" },
    { href: "/applications", label: "Applications" },
    { href: "/environments", label: "Environments" },
    { href: "/deployments", label: "Deployments" },
    { href: "/sync", label: "Sync" },
    { href: "/credentials", label: "Credentials" },
    ...(can(principal.role, "credential-access.read")
      ? [{ href: "/credentials/access", label: "Credential access" }]
      : []),
    { href: "/rotation", label: "Rotation" },
    { href: "/policies", label: "Policies" },
    ...(can(principal.role, "audit.read") ? [{ href: "/audit", label: "Audit" }] : []),
    ...(can(principal.role, "notifications.manage") ? [{ href: "/notifications", label: "Notifications" }] : []),
    ...(can(principal.role, "users.manage") ? [{ href: "/users", label: "Users" }] : []),
    { href: "/tokens", label: "API tokens" },
  ];
  return (
    <div className="min-h-screen">
      <header className="bg-slate-900">
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-6 pt-3">
          <Link href="/" className="text-lg font-bold tracking-tight text-white">
            ⚓ Wharf
          </Link>
          <div className="ml-auto flex min-w-0 items-center gap-3 text-sm text-slate-300">
            <span data-testid="current-user" className="truncate">
              {principal.email} · <span className="font-medium text-white">{principal.role}</span>
            </span>
            <SignOutButton />
          </div>
        </div>
        {/* A second row keeps every section one click away without crowding the account controls. */}
        <div className="mx-auto max-w-7xl px-4 pb-2 pt-2">
          <Nav items={items} />
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-8">{children}</main>
    </div>
  );
}
