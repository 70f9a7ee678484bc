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
        <Nav
          items={items}
          brand={
            <Link href="/" className="shrink-0 text-lg font-bold tracking-tight text-white">
              ⚓ Wharf
            </Link>
          }
          account={
            <>
              <span data-testid="current-user" className="truncate">
                {principal.email} · <span className="font-medium text-white">{principal.role}</span>
              </span>
              <SignOutButton />
            </>
          }
        />
      </header>
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">{children}</main>
    </div>
  );
}
