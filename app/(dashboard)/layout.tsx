import Link from "next/link";
import type { ReactNode } from "react";
import { Nav, type NavItem } from "@/components/layout/nav";
import { InAppLinks } from "@/components/layout/in-app-links";
import { RouteFocus } from "@/components/layout/route-focus";
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
      {/* The first Tab stop: past the header's links straight to the page (focus lands on <main>, tabIndex -1). */}
      <a
        href="#main"
        className="sr-only rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-900 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50"
      >
        Skip to content
      </a>
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
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-8 focus:outline-none sm:px-6">
        {children}
      </main>
      <RouteFocus />
      <InAppLinks />
    </div>
  );
}
