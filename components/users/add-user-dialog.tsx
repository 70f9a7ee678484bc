"use client";

import { useState, type FormEvent } from "react";
import { CopyButton } from "@/components/tokens/copy-button";
import { Button } from "@/components/ui/button";
import { DialogContent, DialogRoot, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormAlert } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { ApiError } from "@/lib/api-fetch";
import { ROLES, type TRole } from "@/lib/auth/roles";
import type { FieldErrors } from "@/lib/errors";
import { useCreateUser } from "@/lib/users/hooks/use-create-user";
import type { UserView } from "@/lib/users/schemas";
import { generatePassword } from "./generate-password";

/**
 * "Add user": name, email, role and an initial password. "Generate" fills in a strong password and shows it in
 * clear text; after creation the dialog shows it once more so the admin can hand it over. It is not kept anywhere.
 */
export function AddUserDialog() {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [generated, setGenerated] = useState(false);
  const [fields, setFields] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ user: UserView; password: string | null } | null>(null);
  const create = useCreateUser();

  function reset() {
    setPassword("");
    setGenerated(false);
    setFields({});
    setError(null);
    setCreated(null);
    create.reset();
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setFields({});
    setError(null);
    try {
      const { user } = await create.mutateAsync({
        name: String(form.get("name") ?? ""),
        email: String(form.get("email") ?? ""),
        role: String(form.get("role") ?? "viewer") as TRole,
        password,
      });
      setCreated({ user, password: generated ? password : null });
      setPassword("");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "The user could not be created.");
      if (err instanceof ApiError) setFields(err.fields);
    }
  }

  // Every way of closing goes through here: Radix calls onOpenChange only for Escape, the overlay and its own close
  // controls, not when "Done" or "Cancel" set the state, so those would leave the last result for the next opening.
  function openChange(next: boolean) {
    setOpen(next);
    reset();
  }

  return (
    <DialogRoot open={open} onOpenChange={openChange}>
      <DialogTrigger asChild>
        <Button>Add user</Button>
      </DialogTrigger>
      <DialogContent
        title={created ? "User created" : "Add user"}
        description={created ? undefined : "They sign in with this email and password."}
      >
        {created ? (
          <div className="space-y-4">
            <p className="text-sm text-slate-700">
              <span className="font-medium">{created.user.name}</span> ({created.user.email}) can now sign in as{" "}
              <span className="font-medium">{created.user.role}</span>.
            </p>
            {created.password ? (
              <div className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3">
                <p className="text-sm font-medium text-amber-900">
                  Initial password — hand it over now; it will not be shown again.
                </p>
                <div className="flex items-center gap-2">
                  <code
                    data-testid="generated-password"
                    className="flex-1 select-all break-all rounded bg-white px-2 py-1 font-mono text-sm"
                  >
                    {created.password}
                  </code>
                  <CopyButton value={created.password} />
                </div>
              </div>
            ) : null}
            <div className="flex justify-end">
              <Button onClick={() => openChange(false)}>Done</Button>
            </div>
          </div>
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            <Field htmlFor="user-name" label="Name" errors={fields.name}>
              <Input
                id="user-name"
                name="name"
                required
                autoFocus
                aria-invalid={!!fields.name}
                aria-describedby="user-name-help"
              />
            </Field>
            <Field htmlFor="user-email" label="Email" errors={fields.email}>
              <Input
                id="user-email"
                name="email"
                type="email"
                required
                aria-invalid={!!fields.email}
                aria-describedby="user-email-help"
              />
            </Field>
            <Field
              htmlFor="user-role"
              label="Role"
              errors={fields.role}
              hint="Viewers read; deployers request deploys; approvers approve; admins manage everything."
            >
              <Select
                id="user-role"
                name="role"
                defaultValue="viewer"
                aria-invalid={!!fields.role}
                aria-describedby="user-role-help"
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </Select>
            </Field>
            <Field
              htmlFor="user-password"
              label="Initial password"
              errors={fields.password}
              hint="At least 12 characters."
            >
              <div className="flex gap-2">
                <Input
                  id="user-password"
                  name="password"
                  type={generated ? "text" : "password"}
                  autoComplete="new-password"
                  value={password}
                  onChange={(e) => {
                    setPassword(e.target.value);
                    setGenerated(false);
                  }}
                  className={generated ? "font-mono" : undefined}
                  aria-invalid={!!fields.password}
                  aria-describedby="user-password-help"
                />
                <Button
                  variant="secondary"
                  onClick={() => {
                    setPassword(generatePassword());
                    setGenerated(true);
                  }}
                >
                  Generate
                </Button>
              </div>
            </Field>
            <FormAlert error={error} />
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => openChange(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create user"}
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </DialogRoot>
  );
}
