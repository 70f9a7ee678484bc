"use client";

import { useState, type ReactNode } from "react";
import { Button } from "./button";
import { DialogClose, DialogContent, DialogRoot, DialogTrigger } from "./dialog";

/**
 * Confirmation for destructive actions. With `confirmText`, the person must type it (e.g. the target's name), as
 * GitHub does for repository deletion.
 */
export function ConfirmDialog(props: {
  trigger: ReactNode;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  /** The button that closes without acting; "Cancel" unless that reads like the action (cancelling a deployment). */
  cancelLabel?: string;
  confirmText?: string;
  pending?: boolean;
  error?: string | null;
  onConfirm: () => void;
}) {
  const [typed, setTyped] = useState("");
  const ready = !props.confirmText || typed === props.confirmText;
  return (
    <DialogRoot onOpenChange={() => setTyped("")}>
      <DialogTrigger asChild>{props.trigger}</DialogTrigger>
      <DialogContent title={props.title} description={props.description}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (ready) props.onConfirm();
          }}
          className="space-y-4"
        >
          {props.confirmText ? (
            <div className="space-y-1">
              <label htmlFor="confirm-text" className="block text-sm text-slate-700">
                Type <span className="font-mono font-semibold">{props.confirmText}</span> to confirm
              </label>
              <input
                id="confirm-text"
                autoFocus
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                className="block h-9 w-full rounded-md border border-slate-300 px-3 text-sm"
              />
            </div>
          ) : null}
          {props.error ? (
            <p role="alert" className="text-sm text-red-600">
              {props.error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">{props.cancelLabel ?? "Cancel"}</Button>
            </DialogClose>
            <Button type="submit" variant="danger" disabled={!ready || props.pending}>
              {props.pending ? "Working…" : props.confirmLabel}
            </Button>
          </div>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}
