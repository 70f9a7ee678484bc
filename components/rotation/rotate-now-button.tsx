"use client";

import Link from "next/link";
import { Button } from "@/components/ui/button";
import { useRotateCredential } from "@/lib/rotation/hooks/use-rotate-credential";
import type { TCredentialKind } from "@/lib/credentials/schemas";

/**
 * "Rotate now". Service account tokens are rotated by Wharf at once (TokenRequest, verified before use); other kinds
 * cannot be minted by Wharf, so the button leads to the target's replace form to paste new material.
 */
export function RotateNowButton(props: {
  credentialId: string;
  targetId: string;
  kind: TCredentialKind;
  targetName: string;
  onReplace?: () => void;
}) {
  const rotate = useRotateCredential();
  if (props.kind !== "service-account-token") {
    if (props.onReplace) {
      return (
        <Button size="sm" variant="secondary" onClick={props.onReplace}>
          Rotate now
        </Button>
      );
    }
    return (
      <Button asChild size="sm" variant="secondary">
        <Link
          href={`/targets/${props.targetId}?credential=replace`}
          aria-label={`Rotate the credential of ${props.targetName} now (paste new material)`}
        >
          Rotate now
        </Link>
      </Button>
    );
  }
  return (
    <div className="space-y-1">
      <Button
        size="sm"
        variant="secondary"
        disabled={rotate.isPending}
        aria-label={`Rotate the credential of ${props.targetName} now`}
        onClick={() => rotate.mutate(props.credentialId)}
      >
        {rotate.isPending ? "Rotating…" : "Rotate now"}
      </Button>
      {rotate.isSuccess ? (
        <p role="status" className="text-xs text-emerald-700">
          Rotated: {rotate.data.fromFingerprint} → {rotate.data.toFingerprint}
        </p>
      ) : null}
      {rotate.isError ? (
        <p role="alert" className="max-w-xs text-xs text-red-600">
          {rotate.error.message}
        </p>
      ) : null}
    </div>
  );
}
