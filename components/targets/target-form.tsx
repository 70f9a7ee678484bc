"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { Field, FormAlert } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { ApiError } from "@/lib/api-fetch";
import type { FieldErrors } from "@/lib/errors";
import { zodFieldErrors } from "@/lib/errors";
import { useCreateTarget } from "@/lib/targets/hooks/use-create-target";
import { useUpdateTarget } from "@/lib/targets/hooks/use-update-target";
import {
  defaultRequiredApprovals,
  REQUIRED_APPROVALS_MAX,
  ZCreateTarget,
  type TargetView,
  type TCreateTargetInput,
  type TMode,
} from "@/lib/targets/schemas";

interface FormState {
  name: string;
  environment: string;
  mode: TMode;
  serverUrl: string;
  caBundle: string;
  insecureSkipTlsVerify: boolean;
  defaultNamespace: string;
  allowedNamespaces: string;
  allowClusterScoped: boolean;
  /** "" = the environment's default (create only). */
  requiredApprovals: string;
  approverRole: "approver" | "admin";
  banRequester: boolean;
  banCommitAuthor: boolean;
  allowTokenApprovals: boolean;
  approvalTtlHours: string;
  ownerTeam: string;
  credentialPolicyId: string;
  /** Seconds between background live-state reads; "" = off on edit, the environment's default on create. */
  statusReadIntervalSeconds: string;
}

const FIELD_ORDER: (keyof FormState)[] = [
  "name",
  "environment",
  "mode",
  "serverUrl",
  "caBundle",
  "insecureSkipTlsVerify",
  "defaultNamespace",
  "allowedNamespaces",
  "allowClusterScoped",
  "requiredApprovals",
  "approverRole",
  "banRequester",
  "banCommitAuthor",
  "allowTokenApprovals",
  "approvalTtlHours",
  "ownerTeam",
  "credentialPolicyId",
  "statusReadIntervalSeconds",
];

function initialState(target: TargetView | undefined): FormState {
  return {
    name: target?.name ?? "",
    environment: target?.environment ?? "",
    mode: target?.mode ?? "push",
    serverUrl: target?.serverUrl ?? "",
    caBundle: target?.caBundle ?? "",
    insecureSkipTlsVerify: target?.insecureSkipTlsVerify ?? false,
    defaultNamespace: target?.defaultNamespace ?? "default",
    allowedNamespaces: target?.allowedNamespaces.join("\n") ?? "",
    allowClusterScoped: target?.allowClusterScoped ?? false,
    requiredApprovals: target ? String(target.requiredApprovals) : "",
    approverRole: target?.approverRole ?? "approver",
    banRequester: target?.banRequester ?? true,
    banCommitAuthor: target?.banCommitAuthor ?? true,
    allowTokenApprovals: target?.allowTokenApprovals ?? false,
    approvalTtlHours: String(target?.approvalTtlHours ?? 24),
    ownerTeam: target?.ownerTeam ?? "",
    credentialPolicyId: target?.credentialPolicy?.id ?? "",
    statusReadIntervalSeconds:
      target?.statusReadIntervalSeconds === null || target?.statusReadIntervalSeconds === undefined
        ? ""
        : String(target.statusReadIntervalSeconds),
  };
}

function splitNamespaces(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function toInput(s: FormState, editing: boolean): TCreateTargetInput {
  const interval = s.statusReadIntervalSeconds.trim();
  return {
    name: s.name,
    environment: s.environment,
    mode: s.mode,
    serverUrl: s.serverUrl,
    caBundle: s.caBundle,
    insecureSkipTlsVerify: s.insecureSkipTlsVerify,
    defaultNamespace: s.defaultNamespace,
    allowedNamespaces: splitNamespaces(s.allowedNamespaces),
    allowClusterScoped: s.allowClusterScoped,
    ...(s.requiredApprovals === "" ? {} : { requiredApprovals: Number(s.requiredApprovals) }),
    approverRole: s.approverRole,
    banRequester: s.banRequester,
    banCommitAuthor: s.banCommitAuthor,
    allowTokenApprovals: s.allowTokenApprovals,
    // An empty or non-numeric entry reaches the schema as NaN and gets its message.
    approvalTtlHours: s.approvalTtlHours.trim() === "" ? Number.NaN : Number(s.approvalTtlHours),
    ownerTeam: s.ownerTeam,
    credentialPolicyId: s.credentialPolicyId || null,
    // Empty: off when editing; on create, the default (off for production, 300 s for other push targets).
    ...(interval === ""
      ? editing
        ? { statusReadIntervalSeconds: null }
        : {}
      : { statusReadIntervalSeconds: Number(interval) }),
  };
}

/** Folds `allowedNamespaces.3` style paths onto their input, naming the offending entry. */
function groupFieldErrors(fields: FieldErrors, namespaces: string[]): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, messages] of Object.entries(fields)) {
    const [head, index] = path.split(".");
    const key = head ?? path;
    const entry = index !== undefined && key === "allowedNamespaces" ? namespaces[Number(index)] : undefined;
    (out[key] ??= []).push(...messages.map((m) => (entry !== undefined ? `"${entry}": ${m}` : m)));
  }
  return out;
}

/**
 * Create or edit a target. Validates with the same zod schema as the API before sending, then shows the API's own
 * 422/409 field errors inline; the CA bundle's certificates are only parsed by the server. On edit the whole form
 * is sent as a PATCH; the server records only the fields that changed.
 */
export function TargetForm(props: { target?: TargetView; policies: { id: string; name: string }[] }) {
  const { target, policies } = props;
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [state, setState] = useState<FormState>(() => initialState(target));
  const [fields, setFields] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const create = useCreateTarget();
  const update = useUpdateTarget(target?.id ?? "");
  const pending = create.isPending || update.isPending;

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setState((s) => ({ ...s, [key]: value }));
  }

  function showErrors(next: FieldErrors, message: string) {
    setFields(next);
    setError(message);
    // Move focus to the first field with an error so keyboard and screen-reader users land on it.
    const first = FIELD_ORDER.find((k) => next[k]?.length);
    if (first) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus());
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (pending) return;
    const input = toInput(state, target !== undefined);
    const namespaces = input.allowedNamespaces ?? [];
    const parsed = ZCreateTarget.safeParse(input);
    if (!parsed.success) {
      showErrors(groupFieldErrors(zodFieldErrors(parsed.error), namespaces), "Fix the highlighted fields.");
      return;
    }
    setFields({});
    setError(null);
    try {
      const saved = target ? await update.mutateAsync(input) : await create.mutateAsync(input);
      router.push(`/targets/${saved.id}`);
      router.refresh();
    } catch (err) {
      if (err instanceof ApiError) showErrors(groupFieldErrors(err.fields, namespaces), err.message);
      else showErrors({}, "Saving failed. Try again.");
    }
  }

  const approvalDefault = defaultRequiredApprovals(state.environment);
  const input = (key: keyof FormState) => ({
    id: `target-${key}`,
    name: key,
    "aria-invalid": fields[key]?.length ? true : undefined,
    "aria-describedby": `target-${key}-help`,
  });

  return (
    <form ref={formRef} onSubmit={(e) => void onSubmit(e)} noValidate className="space-y-6">
      <FormAlert error={error} />

      <Section title="Identity">
        <Field
          htmlFor="target-name"
          label="Name"
          hint="Lower-case letters, digits and '-', up to 63 characters (a DNS label)."
          errors={fields.name}
        >
          <Input
            {...input("name")}
            value={state.name}
            onChange={(e) => set("name", e.target.value)}
            autoComplete="off"
            spellCheck={false}
            autoFocus={!target}
          />
        </Field>
        <Field
          htmlFor="target-environment"
          label="Environment"
          hint="Free text, e.g. dev, staging or prod."
          errors={fields.environment}
        >
          <Input
            {...input("environment")}
            value={state.environment}
            onChange={(e) => set("environment", e.target.value)}
            list="target-environment-suggestions"
          />
          <datalist id="target-environment-suggestions">
            <option value="dev" />
            <option value="staging" />
            <option value="prod" />
          </datalist>
        </Field>
        <Field
          htmlFor="target-ownerTeam"
          label="Owner team"
          hint="Who to ask about this cluster (optional)."
          errors={fields.ownerTeam}
        >
          <Input {...input("ownerTeam")} value={state.ownerTeam} onChange={(e) => set("ownerTeam", e.target.value)} />
        </Field>
        <fieldset className="space-y-2" aria-describedby="target-mode-help">
          <legend className="text-sm font-medium text-slate-700">Delivery mode</legend>
          {(
            [
              ["push", "Push", "Wharf applies manifests to the cluster's API server with a stored credential."],
              [
                "pull",
                "Pull",
                "An agent inside the cluster fetches approved releases; Wharf holds no cluster credential.",
              ],
            ] as const
          ).map(([value, label, description]) => (
            <label key={value} className="flex cursor-pointer items-start gap-2 text-sm">
              <input
                type="radio"
                name="mode"
                value={value}
                checked={state.mode === value}
                onChange={() => set("mode", value)}
                className="mt-1"
              />
              <span>
                <span className="font-medium text-slate-800">{label}</span>{" "}
                <span className="text-slate-500">— {description}</span>
              </span>
            </label>
          ))}
          <div id="target-mode-help">
            {fields.mode?.map((m) => (
              <p key={m} role="alert" className="text-xs text-red-600">
                {m}
              </p>
            ))}
          </div>
        </fieldset>
      </Section>

      <Section title="Cluster">
        <Field
          htmlFor="target-serverUrl"
          label="API server URL"
          hint="As in a kubeconfig's cluster.server, e.g. https://10.0.0.1:6443."
          errors={fields.serverUrl}
        >
          <Input
            {...input("serverUrl")}
            value={state.serverUrl}
            onChange={(e) => set("serverUrl", e.target.value)}
            type="url"
            inputMode="url"
            spellCheck={false}
          />
        </Field>
        <Field
          htmlFor="target-caBundle"
          label="CA bundle (optional)"
          hint="PEM certificates that sign the API server's certificate. Leave empty to use the system trust store."
          errors={fields.caBundle}
        >
          <Textarea
            {...input("caBundle")}
            value={state.caBundle}
            onChange={(e) => set("caBundle", e.target.value)}
            rows={5}
            spellCheck={false}
            placeholder="-----BEGIN CERTIFICATE-----"
          />
        </Field>
        <Checkbox
          id="target-insecureSkipTlsVerify"
          name="insecureSkipTlsVerify"
          checked={state.insecureSkipTlsVerify}
          onChange={(v) => set("insecureSkipTlsVerify", v)}
          label="Skip TLS verification"
          hint="Only for throwaway clusters: anyone on the path could impersonate the API server."
        />
      </Section>

      <Section title="Namespaces">
        <Field
          htmlFor="target-defaultNamespace"
          label="Default namespace"
          hint="Where manifests without a namespace go."
          errors={fields.defaultNamespace}
        >
          <Input
            {...input("defaultNamespace")}
            value={state.defaultNamespace}
            onChange={(e) => set("defaultNamespace", e.target.value)}
            spellCheck={false}
          />
        </Field>
        <Field
          htmlFor="target-allowedNamespaces"
          label="Allowed namespaces"
          hint="One per line (or comma-separated). Empty: only the default namespace."
          errors={fields.allowedNamespaces}
        >
          <Textarea
            {...input("allowedNamespaces")}
            value={state.allowedNamespaces}
            onChange={(e) => set("allowedNamespaces", e.target.value)}
            rows={3}
            spellCheck={false}
          />
        </Field>
        <Checkbox
          id="target-allowClusterScoped"
          name="allowClusterScoped"
          checked={state.allowClusterScoped}
          onChange={(v) => set("allowClusterScoped", v)}
          label="Allow cluster-scoped objects"
          hint="Namespaces, CRDs, ClusterRoles and the like."
        />
      </Section>

      <Section title="Approvals and credentials">
        <Field
          htmlFor="target-requiredApprovals"
          label="Required approvals"
          hint="Approvals a deploy needs before it runs (0–5)."
          errors={fields.requiredApprovals}
        >
          <Select
            {...input("requiredApprovals")}
            value={state.requiredApprovals}
            onChange={(e) => set("requiredApprovals", e.target.value)}
            className="w-72"
          >
            {target ? null : <option value="">Default for this environment ({approvalDefault})</option>}
            {Array.from({ length: REQUIRED_APPROVALS_MAX + 1 }, (_, n) => (
              <option key={n} value={String(n)}>
                {n === 0 ? "0 — no approval" : n}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          htmlFor="target-approverRole"
          label="Who may approve"
          hint="Admins may always approve."
          errors={fields.approverRole}
        >
          <Select
            {...input("approverRole")}
            value={state.approverRole}
            onChange={(e) => set("approverRole", e.target.value === "admin" ? "admin" : "approver")}
            className="w-72"
          >
            <option value="approver">Approvers and admins</option>
            <option value="admin">Admins only</option>
          </Select>
        </Field>
        <Checkbox
          id="target-banRequester"
          name="banRequester"
          checked={state.banRequester}
          onChange={(v) => set("banRequester", v)}
          label="The requester may not approve"
          hint="Recommended: a second person looks at every change."
        />
        <Checkbox
          id="target-banCommitAuthor"
          name="banCommitAuthor"
          checked={state.banCommitAuthor}
          onChange={(v) => set("banCommitAuthor", v)}
          label="The Git commit's author may not approve"
          hint="Matched by email, so someone cannot approve their own code when a pipeline requested the deploy."
        />
        <Checkbox
          id="target-allowTokenApprovals"
          name="allowTokenApprovals"
          checked={state.allowTokenApprovals}
          onChange={(v) => set("allowTokenApprovals", v)}
          label="API tokens may approve"
          hint="Off by default, so a pipeline cannot approve its own work."
        />
        <Field
          htmlFor="target-approvalTtlHours"
          label="Approvals expire after (hours)"
          hint="An approval older than this no longer counts (1–720)."
          errors={fields.approvalTtlHours}
        >
          <Input
            {...input("approvalTtlHours")}
            value={state.approvalTtlHours}
            onChange={(e) => set("approvalTtlHours", e.target.value)}
            inputMode="numeric"
            className="w-32"
          />
        </Field>
        <Field
          htmlFor="target-credentialPolicyId"
          label="Credential policy"
          hint="Rotation rules for this target's credential. Without one, the policy for its environment applies."
          errors={fields.credentialPolicyId}
        >
          <Select
            {...input("credentialPolicyId")}
            value={state.credentialPolicyId}
            onChange={(e) => set("credentialPolicyId", e.target.value)}
            className="w-72"
          >
            <option value="">None (environment policy)</option>
            {policies.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
        </Field>
        {state.mode === "push" ? (
          <Field
            htmlFor="target-statusReadIntervalSeconds"
            label="Read live state in the background every (seconds)"
            hint={
              target
                ? "Each read decrypts this target's credential (audited, counted per 5 minutes). Empty: only while someone looks at an application (30–86400)."
                : "Each read decrypts this target's credential (audited, counted per 5 minutes). Empty: off for prod, every 300 s otherwise; applications are also read while someone looks (30–86400)."
            }
            errors={fields.statusReadIntervalSeconds}
          >
            <Input
              {...input("statusReadIntervalSeconds")}
              value={state.statusReadIntervalSeconds}
              onChange={(e) => set("statusReadIntervalSeconds", e.target.value)}
              inputMode="numeric"
              placeholder={target ? "off" : "default"}
              className="w-32"
            />
          </Field>
        ) : null}
      </Section>

      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={() => router.back()} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : target ? "Save changes" : "Create target"}
        </Button>
      </div>
    </form>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card>
      <CardBody className="space-y-4">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">{title}</h2>
        {children}
      </CardBody>
    </Card>
  );
}

function Checkbox(props: {
  id: string;
  name: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  label: string;
  hint: string;
}) {
  return (
    <div className="flex items-start gap-2">
      <input
        id={props.id}
        name={props.name}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        aria-describedby={`${props.id}-help`}
        className="mt-1"
      />
      <div>
        <label htmlFor={props.id} className="text-sm font-medium text-slate-700">
          {props.label}
        </label>
        <p id={`${props.id}-help`} className="text-xs text-slate-500">
          {props.hint}
        </p>
      </div>
    </div>
  );
}
