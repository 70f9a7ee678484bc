"use client";

import { useEffect, useRef, type ReactNode } from "react";

/**
 * A labelled form control with its hint and errors wired for screen readers: pass the control's id as `htmlFor`
 * and give the control `aria-describedby={`${id}-help`}` and `aria-invalid` when `errors` is non-empty.
 */
export function Field(props: {
  htmlFor: string;
  label: string;
  hint?: ReactNode;
  errors?: string[] | undefined;
  children: ReactNode;
}) {
  const { htmlFor, label, hint, errors, children } = props;
  return (
    <div className="space-y-1">
      <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      <div id={`${htmlFor}-help`}>
        {hint && !errors?.length ? <p className="text-xs text-slate-500">{hint}</p> : null}
        {errors?.map((e) => (
          <p key={e} className="text-xs text-red-600" role="alert">
            {e}
          </p>
        ))}
      </div>
    </div>
  );
}

/**
 * A form's whole-form error (the server's message), announced when it appears; nothing without one. It takes focus
 * when it appears or changes, so after a failed submit the keyboard and the screen reader start at what went wrong
 * (the field errors follow below it) instead of on the submit button.
 */
export function FormAlert({ error }: { error: string | null | undefined }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  return (
    <p ref={ref} tabIndex={-1} role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      {error}
    </p>
  );
}
