"use client";

import { useId, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { DialogClose, DialogContent, DialogRoot, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormAlert } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import type { ApiError } from "@/lib/api-fetch";

/**
 * The dialog a delivery request is made in (Deploy an application, Promote it to the next environment): what will
 * happen, a Reason approvers read, the server's error with each problem it lists (render and manifest problems come
 * as field errors), Cancel, and the submit button with its progress label. Once `done` is given, it replaces the
 * form (the request's outcome and a Done button). Escape and Cancel change nothing; closing resets through `onClose`.
 */
export function RequestDialog({
  trigger,
  title,
  description,
  submitLabel,
  pendingLabel,
  pending,
  error,
  onSubmit,
  onClose,
  done,
  children,
}: {
  trigger: ReactNode;
  title: string;
  description: ReactNode;
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
  error: ApiError | null;
  onSubmit: (reason: string) => void;
  onClose?: () => void;
  /** The outcome to show instead of the form once the request is made. */
  done?: ReactNode;
  /** What the request changes, shown above the reason. */
  children?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const reasonId = useId();
  const problems = error ? Object.values(error.fields ?? {}).flat() : [];
  return (
    <DialogRoot
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) {
          setReason("");
          onClose?.();
        }
      }}
    >
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} description={description}>
        {done ? (
          <div className="space-y-4">
            <div role="status" className="text-sm text-slate-700">
              {done}
            </div>
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
              if (!pending) onSubmit(reason);
            }}
          >
            {children}
            <Field htmlFor={reasonId} label="Reason" hint="What this changes and why; approvers read it.">
              <Textarea
                id={reasonId}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                rows={2}
                className="font-sans"
                aria-describedby={`${reasonId}-help`}
              />
            </Field>
            <FormAlert error={error?.message ?? null} />
            {problems.length ? (
              <ul className="max-h-40 list-disc overflow-auto pl-5 text-xs text-red-700">
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            ) : null}
            <div className="flex flex-wrap justify-end gap-2">
              <DialogClose asChild>
                <Button variant="secondary">Cancel</Button>
              </DialogClose>
              <Button type="submit" disabled={pending}>
                {pending ? pendingLabel : submitLabel}
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </DialogRoot>
  );
}
