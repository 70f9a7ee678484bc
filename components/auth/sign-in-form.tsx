"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormAlert } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api-fetch";
import type { FieldErrors } from "@/lib/errors";

export function SignInForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldErrors>({});

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    setFields({});
    try {
      await apiFetch("/api/auth/sign-in", {
        method: "POST",
        body: { email: form.get("email"), password: form.get("password") },
      });
      router.replace("/");
      router.refresh();
    } catch (err) {
      setPending(false);
      if (err instanceof ApiError) {
        setError(err.message);
        setFields(err.fields);
      } else setError("Sign-in failed. Try again.");
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field htmlFor="email" label="Email" errors={fields.email}>
        <Input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          aria-invalid={!!fields.email}
          aria-describedby="email-help"
        />
      </Field>
      <Field htmlFor="password" label="Password" errors={fields.password}>
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={!!fields.password}
          aria-describedby="password-help"
        />
      </Field>
      <FormAlert error={error} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
