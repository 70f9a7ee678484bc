"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { DialogClose, DialogContent, DialogRoot, DialogTrigger } from "@/components/ui/dialog";
import { usePromoteApplication } from "@/lib/applications/hooks/use-promote-application";
import type { TMatrixEntry } from "@/lib/applications/matrix-schemas";

/**
 * "Promote to <target>": requests what is live in this cell on the next environment's application. Nothing is
 * deployed by this dialog itself: the request waits for that target's approvals like any other, and its page shows
 * the preview (what changes there).
 */
export function PromoteDialog({
  name,
  from,
  to,
  fromText,
  toText,
}: {
  name: string;
  from: TMatrixEntry;
  to: TMatrixEntry;
  fromText: string;
  toText: string;
}) {
  const [open, setOpen] = useState(false);
  const promote = usePromoteApplication(from.applicationId);
  const done = promote.data;
  return (
    <DialogRoot
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) promote.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" className="mt-1 h-7 px-2 text-xs">
          Promote to {to.target.name}
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Promote ${name} to ${to.target.name}?`}
        description={
          <>
            Requests <span className="font-mono">{fromText}</span> (live on {from.target.name}) on {to.target.name},
            which now runs <span className="font-mono">{toText}</span>. The request goes through the approval rule of{" "}
            {to.target.name}; its page shows what changes there.
          </>
        }
      >
        {done ? (
          <div className="space-y-4">
            <p role="status" className="text-sm text-slate-700">
              Promotion requested:{" "}
              <Link href={`/deployments/${done.id}`} className="font-medium text-brand-700 hover:underline">
                deployment on {to.target.name}
              </Link>{" "}
              is {done.state === "pending-approval" ? "awaiting approval" : done.state}.
            </p>
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button variant="secondary">Done</Button>
              </DialogClose>
            </div>
          </div>
        ) : (
          <form
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              promote.mutate({ to: to.target.id });
            }}
          >
            {promote.error ? (
              <p role="alert" className="text-sm text-red-600">
                {promote.error.message}
              </p>
            ) : null}
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button variant="secondary">Cancel</Button>
              </DialogClose>
              <Button type="submit" disabled={promote.isPending}>
                {promote.isPending ? "Requesting…" : "Request promotion"}
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </DialogRoot>
  );
}
