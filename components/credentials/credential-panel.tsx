"use client";

/**
 * A push target's cluster credential: the active one's metadata, its history, and (for admins) the store/replace
 * form. Never shows material. (Placeholder until the full panel lands.)
 */
export function CredentialPanel(props: { targetId: string; mode: "push" | "pull"; canManage: boolean }) {
  if (props.mode === "pull") {
    return <p className="text-sm text-slate-600">Pull targets hold no cluster credential in Wharf — the in-cluster agent syncs them.</p>;
  }
  return <p className="text-sm text-slate-600">Credential details load here.</p>;
}
