"use client";

import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { ApiError } from "@/lib/api-fetch";
import { can, ROLES, type TRole } from "@/lib/auth/roles";
import { usePolicyMutations } from "@/lib/credentials/hooks/use-policies";
import { ZCredentialPolicy, type CredentialPolicyView } from "@/lib/credentials/schemas";
import { zodFieldErrors } from "@/lib/errors";

/** The roles that can replace a credential at all (viewers never can, whatever a policy says). */
const REPLACE_ROLES = ROLES.filter((r) => can(r, "credentials.replace"));

/** Create or edit a credential policy; validates with the same schema as the API, then shows the API's 409/422 inline. */
export function PolicyForm(props: { policy?: CredentialPolicyView; onDone: () => void; onCancel: () => void }) {
  const id = useId();
  const { create, update } = usePolicyMutations();
  const p = props.policy;
  const [values, setValues] = useState({
    name: p?.name ?? "",
    maxAgeDays: String(p?.maxAgeDays ?? 90),
    warnBeforeDays: String(p?.warnBeforeDays ?? 14),
    // A policy stored with "viewer" lets exactly the deployers and up replace, as "deployer" does.
    minReplaceRole: (p?.minReplaceRole === "viewer" ? "deployer" : (p?.minReplaceRole ?? "admin")) as TRole,
    autoRotate: p?.autoRotate ?? false,
    environment: p?.environment ?? "",
  });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const pending = create.isPending || update.isPending;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const parsed = ZCredentialPolicy.safeParse(values);
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      return;
    }
    setErrors({});
    try {
      if (p) await update.mutateAsync({ id: p.id, input: parsed.data });
      else await create.mutateAsync(parsed.data);
      props.onDone();
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fields);
        setFormError(err.message);
      } else setFormError("Saving failed.");
    }
  }

  const set = (k: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [k]: e.target.value }));
  const invalid = (k: string) => ({ "aria-invalid": !!errors[k]?.length, "aria-describedby": `${id}-${k}-help` });

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="space-y-4"
      noValidate
      aria-label={p ? `Edit policy ${p.name}` : "New policy"}
    >
      <Field htmlFor={`${id}-name`} label="Name" errors={errors.name}>
        <Input id={`${id}-name`} value={values.name} onChange={set("name")} autoFocus {...invalid("name")} />
      </Field>
      <div className="grid grid-cols-2 gap-4">
        <Field htmlFor={`${id}-maxAgeDays`} label="Maximum age (days)" errors={errors.maxAgeDays}>
          <Input
            id={`${id}-maxAgeDays`}
            type="number"
            min={1}
            max={3650}
            value={values.maxAgeDays}
            onChange={set("maxAgeDays")}
            {...invalid("maxAgeDays")}
          />
        </Field>
        <Field htmlFor={`${id}-warnBeforeDays`} label="Warn before (days)" errors={errors.warnBeforeDays}>
          <Input
            id={`${id}-warnBeforeDays`}
            type="number"
            min={0}
            value={values.warnBeforeDays}
            onChange={set("warnBeforeDays")}
            {...invalid("warnBeforeDays")}
          />
        </Field>
      </div>
      <Field
        htmlFor={`${id}-minReplaceRole`}
        label="Minimum role to replace a credential"
        hint="Who may replace or rotate the credential of a target with this policy. Viewers never may."
        errors={errors.minReplaceRole}
      >
        <Select
          id={`${id}-minReplaceRole`}
          value={values.minReplaceRole}
          onChange={set("minReplaceRole")}
          {...invalid("minReplaceRole")}
        >
          {REPLACE_ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        htmlFor={`${id}-environment`}
        label="Environment"
        hint="Applies to every target of this environment without a policy of its own. Leave empty for explicit use only."
        errors={errors.environment}
      >
        <Input
          id={`${id}-environment`}
          value={values.environment}
          onChange={set("environment")}
          placeholder="prod"
          {...invalid("environment")}
        />
      </Field>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input
          type="checkbox"
          checked={values.autoRotate}
          onChange={(e) => setValues((v) => ({ ...v, autoRotate: e.target.checked }))}
          className="h-4 w-4"
        />
        Automatic rotation is expected
      </label>
      {formError ? (
        <p role="alert" className="text-sm text-red-600">
          {formError}
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={props.onCancel} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? "Saving…" : p ? "Save changes" : "Create policy"}
        </Button>
      </div>
    </form>
  );
}
