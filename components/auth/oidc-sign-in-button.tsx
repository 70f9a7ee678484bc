import { Button } from "@/components/ui/button";

/** A plain link: the browser must follow the provider's redirects itself, so this is navigation, not a fetch. */
export function OidcSignInButton({ name, returnTo }: { name: string; returnTo: string | null }) {
  const href = `/api/auth/oidc/start${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ""}`;
  return (
    <Button asChild className="w-full">
      <a href={href}>Sign in with {name}</a>
    </Button>
  );
}
