"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { DialogContent, DialogRoot, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormAlert } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { ApiError } from "@/lib/api-fetch";
import { ROLES, roleAtLeast, type TRole } from "@/lib/auth/roles";
import type { FieldErrors } from "@/lib/errors";
import { useCreateApiToken } from "@/lib/tokens/hooks/use-create-api-token";
import { CopyButton } from "./copy-button";

const EXPIRY_CHOICES = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "180", label: "180 days" },
  { value: "365", label: "1 year" },
] as const;

/**
 * Creates a token for the signed-in user with a role up to their own. The plaintext is shown once, in this dialog;
 * closing it drops it from memory (the mutation is reset), and nothing else ever returns it.
 */
export function CreateTokenDialog({ role }: { role: TRole }) {
  const [open, setOpen] = useState(false);
  const [fields, setFields] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const create = useCreateApiToken();
  const created = create.data;
  const roles = ROLES.filter((r) => roleAtLeast(role, r));

  function close(next: boolean) {
    setOpen(next);
    if (!next) {
      setFields({});
      setError(null);
      create.reset();
    }
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const expiry = String(form.get("expiresInDays") ?? "90");
    setFields({});
    setError(null);
    try {
      await create.mutateAsync({
        name: String(form.get("name") ?? ""),
        role: String(form.get("role") ?? role) as TRole,
        expiresInDays: expiry === "never" ? null : Number(expiry),
      });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "The token could not be created.");
      if (err instanceof ApiError) setFields(err.fields);
    }
  }

  return (
    <DialogRoot open={open} onOpenChange={close}>
      <DialogTrigger asChild>
        <Button>Create token</Button>
      </DialogTrigger>
      <DialogContent
        title={created ? "Token created" : "Create API token"}
        description={
          created
            ? undefined
            : "Send it as “Authorization: Bearer <token>”. It acts as you, with the role you pick here."
        }
      >
        {created ? (
          <div className="space-y-4">
            <div role="status" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3">
              <p className="text-sm font-medium text-amber-900">Copy this token now — you will not see it again.</p>
              <div className="flex items-center gap-2">
                <code
                  data-testid="new-token"
                  className="flex-1 select-all break-all rounded bg-white px-2 py-1 font-mono text-sm"
                >
                  {created.secret}
                </code>
                <CopyButton value={created.secret} />
              </div>
            </div>
            <p className="text-sm text-slate-600">
              “{created.token.name}” · {created.token.role} ·{" "}
              {created.token.expiresAt ? `expires ${created.token.expiresAt.slice(0, 10)}` : "never expires"}
            </p>
            <div className="flex justify-end">
              <Button onClick={() => close(false)}>Done</Button>
            </div>
          </div>
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            <Field
              htmlFor="token-name"
              label="Name"
              errors={fields.name}
              hint="What uses it, e.g. “GitHub Actions deploy”."
            >
              <Input
                id="token-name"
                name="name"
                required
                autoFocus
                maxLength={80}
                aria-invalid={!!fields.name}
                aria-describedby="token-name-help"
              />
            </Field>
            <Field
              htmlFor="token-role"
              label="Role"
              errors={fields.role}
              hint="At most your own role; pick the lowest that does the job."
            >
              <Select
                id="token-role"
                name="role"
                defaultValue={role}
                aria-invalid={!!fields.role}
                aria-describedby="token-role-help"
              >
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </Select>
            </Field>
            <Field htmlFor="token-expiry" label="Expires after" errors={fields.expiresInDays}>
              <Select
                id="token-expiry"
                name="expiresInDays"
                defaultValue="90"
                aria-invalid={!!fields.expiresInDays}
                aria-describedby="token-expiry-help"
              >
                {EXPIRY_CHOICES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
                {role === "admin" ? <option value="never">Never (not recommended)</option> : null}
              </Select>
            </Field>
            <FormAlert error={error} />
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => close(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create token"}
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </DialogRoot>
  );
}
