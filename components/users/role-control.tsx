"use client";

import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { DialogClose, DialogContent, DialogRoot } from "@/components/ui/dialog";
import { Select } from "@/components/ui/input";
import { ApiError } from "@/lib/api-fetch";
import { ROLES, type TRole } from "@/lib/auth/roles";
import { useUpdateUser } from "@/lib/users/hooks/use-update-user";
import type { UserView } from "@/lib/users/schemas";

/** What an admin may do beyond an approver, for the promotion's confirmation (lib/auth/roles.ts PERMISSIONS). */
const ADMIN_POWERS =
  "Admins manage users and their roles, targets, cluster credentials, credential policies and notification sinks; they both request and approve deployments, and may roll back in an emergency without approvals.";

type Outcome = { ok: true; text: string } | { ok: false; text: string };

/**
 * A user's role in their row: choosing a role only drafts it, and "Change role" applies it, so arrowing through the
 * select with the keyboard does not change the role at every step. Promoting to admin is confirmed first, in a dialog
 * that names the person and what admins may do. Every change reports its result next to the control.
 */
export function RoleControl({ user }: { user: UserView }) {
  const id = useId();
  const change = useUpdateUser();
  const [draft, setDraft] = useState<TRole | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const pending = draft !== null && draft !== user.role ? draft : null;
  const who = user.name ? `${user.name} (${user.email})` : user.email;

  function apply(role: TRole) {
    const from = user.role;
    setOutcome(null);
    change.mutate(
      { id: user.id, role },
      {
        onSuccess: () => {
          setDraft(null);
          setConfirming(false);
          setOutcome({ ok: true, text: `Role changed: ${user.email} is now ${role} (was ${from}).` });
          // The Change button goes away; focus returns to the control it changed.
          document.getElementById(`${id}-role`)?.focus();
        },
        onError: (err) => {
          setConfirming(false);
          setOutcome({
            ok: false,
            text: err instanceof ApiError ? err.message : "The role could not be changed.",
          });
        },
      },
    );
  }

  function submit() {
    if (!pending) return;
    if (pending === "admin") setConfirming(true);
    else apply(pending);
  }

  return (
    <div>
      <form
        className="flex items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor={`${id}-role`} className="sr-only">
          Role of {user.email}
        </label>
        <Select
          id={`${id}-role`}
          className="h-8 w-32"
          value={draft ?? user.role}
          aria-describedby={outcome ? `${id}-outcome` : undefined}
          onChange={(e) => {
            setDraft(e.target.value as TRole);
            setOutcome(null);
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
        {pending ? (
          <>
            <Button type="submit" size="sm" disabled={change.isPending}>
              {change.isPending ? "Changing…" : "Change role"}
            </Button>
            <Button variant="ghost" size="sm" disabled={change.isPending} onClick={() => setDraft(null)}>
              Keep {user.role}
            </Button>
          </>
        ) : null}
      </form>
      <p
        id={`${id}-outcome`}
        role={outcome && !outcome.ok ? "alert" : "status"}
        className={`mt-1 whitespace-normal text-xs ${outcome?.ok ? "text-emerald-700" : "text-red-600"}`}
      >
        {outcome?.text ?? ""}
      </p>
      <DialogRoot open={confirming} onOpenChange={setConfirming}>
        <DialogContent title={`Make ${who} an admin?`} description={ADMIN_POWERS}>
          <form
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              apply("admin");
            }}
          >
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button variant="secondary">Keep {user.role}</Button>
              </DialogClose>
              <Button type="submit" variant="danger" disabled={change.isPending} autoFocus>
                {change.isPending ? "Changing…" : "Make admin"}
              </Button>
            </div>
          </form>
        </DialogContent>
      </DialogRoot>
    </div>
  );
}
