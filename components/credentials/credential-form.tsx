"use client";

import { useId, useState, type CSSProperties, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { ApiError } from "@/lib/api-fetch";
import { useSaveCredential } from "@/lib/credentials/hooks/use-save-credential";
import {
  CREDENTIAL_KINDS,
  CREDENTIAL_KIND_LABELS,
  MAX_LABEL_CHARS,
  type CredentialView,
  type TCredentialKind,
  type TStoreCredential,
} from "@/lib/credentials/schemas";

const EMPTY = { token: "", certPem: "", keyPem: "" };

/**
 * Store or replace a target's credential. The material lives in this component's state only until the request
 * settles, and is cleared on success, on cancel and on error (the person pastes it again rather than it lingering).
 * Textareas are masked, exempt from autocomplete and spellcheck (which can send text to a server).
 */
export function CredentialForm(props: {
  targetId: string;
  replacing: boolean;
  /** The kind to start with: the credential's own when replacing or rotating it (a bearer token stays a bearer token). */
  initialKind?: TCredentialKind;
  /** The label to start with: the replaced credential's own; empty means the default ("<target name> <kind>"). */
  initialLabel?: string;
  /** Why the form is open, above its fields (from "Rotate now" for a kind Wharf cannot mint). */
  note?: string;
  onDone: (saved: CredentialView) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const save = useSaveCredential(props.targetId);
  const [kind, setKind] = useState<TCredentialKind>(props.initialKind ?? "service-account-token");
  const [material, setMaterial] = useState(EMPTY);
  const [label, setLabel] = useState(props.initialLabel ?? "");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [formError, setFormError] = useState<string | null>(null);

  function clear() {
    setMaterial(EMPTY);
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFieldErrors({});
    setFormError(null);
    const input: TStoreCredential =
      kind === "client-certificate"
        ? { kind, label, certPem: material.certPem, keyPem: material.keyPem }
        : { kind, label, token: material.token };
    try {
      const res = await save.mutateAsync(input);
      clear();
      props.onDone(res.credential);
    } catch (err) {
      if (err instanceof ApiError) {
        setFieldErrors(err.fields);
        setFormError(err.message);
      } else {
        setFormError("Saving failed.");
      }
    }
  }

  const secretProps = {
    autoComplete: "off",
    autoCorrect: "off",
    autoCapitalize: "off",
    spellCheck: false,
    "data-1p-ignore": true,
    "data-lpignore": "true",
    // Masks the text like a password field while keeping a multi-line box.
    style: { WebkitTextSecurity: "disc" } as CSSProperties,
  };

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="space-y-4"
      aria-label={props.replacing ? "Replace credential" : "Store credential"}
      noValidate
    >
      {props.note ? (
        <p className="text-sm text-slate-700" data-testid="credential-form-note">
          {props.note}
        </p>
      ) : null}
      <Field
        htmlFor={`${id}-label`}
        label="Label"
        hint="What lists and the audit trail call it. Empty: the target's name and the kind."
        errors={fieldErrors.label}
      >
        <Input
          id={`${id}-label`}
          value={label}
          maxLength={MAX_LABEL_CHARS}
          onChange={(e) => setLabel(e.target.value)}
          aria-invalid={!!fieldErrors.label?.length}
        />
      </Field>
      <Field htmlFor={`${id}-kind`} label="Kind" errors={fieldErrors.kind}>
        <Select
          id={`${id}-kind`}
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as TCredentialKind);
            setFieldErrors({});
          }}
        >
          {CREDENTIAL_KINDS.map((k) => (
            <option key={k} value={k}>
              {CREDENTIAL_KIND_LABELS[k]}
            </option>
          ))}
        </Select>
      </Field>
      {kind === "client-certificate" ? (
        <>
          <Field
            htmlFor={`${id}-cert`}
            label="Client certificate (PEM)"
            hint="-----BEGIN CERTIFICATE----- …"
            errors={fieldErrors.certPem}
          >
            <Textarea
              id={`${id}-cert`}
              rows={5}
              value={material.certPem}
              onChange={(e) => setMaterial((m) => ({ ...m, certPem: e.target.value }))}
              aria-invalid={!!fieldErrors.certPem?.length}
              aria-describedby={`${id}-cert-help`}
              {...secretProps}
            />
          </Field>
          <Field
            htmlFor={`${id}-key`}
            label="Private key (PEM)"
            hint="Unencrypted; Wharf encrypts it at rest."
            errors={fieldErrors.keyPem}
          >
            <Textarea
              id={`${id}-key`}
              rows={5}
              value={material.keyPem}
              onChange={(e) => setMaterial((m) => ({ ...m, keyPem: e.target.value }))}
              aria-invalid={!!fieldErrors.keyPem?.length}
              aria-describedby={`${id}-key-help`}
              {...secretProps}
            />
          </Field>
        </>
      ) : (
        <Field htmlFor={`${id}-token`} label="Token" hint="Shown never again after saving." errors={fieldErrors.token}>
          <Textarea
            id={`${id}-token`}
            rows={3}
            value={material.token}
            onChange={(e) => setMaterial((m) => ({ ...m, token: e.target.value }))}
            aria-invalid={!!fieldErrors.token?.length}
            aria-describedby={`${id}-token-help`}
            {...secretProps}
          />
        </Field>
      )}
      {formError ? (
        <p role="alert" className="text-sm text-red-600">
          {formError}
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button
          variant="secondary"
          onClick={() => {
            clear();
            props.onCancel();
          }}
          disabled={save.isPending}
        >
          Cancel
        </Button>
        <Button type="submit" disabled={save.isPending} aria-busy={save.isPending}>
          {save.isPending ? "Encrypting…" : props.replacing ? "Replace credential" : "Store credential"}
        </Button>
      </div>
    </form>
  );
}
