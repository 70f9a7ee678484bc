/** A Kubernetes `Status` failure, thrown inside the sandbox and written to the client as-is. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The wire form, exactly as kube-apiserver writes it. */
  toStatus(): Record<string, unknown> {
    const status: Record<string, unknown> = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
    };
    // Errors that are not Status errors reach clients with the unknown (empty) reason, which JSON omits.
    if (this.reason) status.reason = this.reason;
    if (this.details && Object.keys(this.details).length > 0) status.details = this.details;
    status.code = this.code;
    return status;
  }
}

/** A failure kube-apiserver answers with Go's http.Error (plain text), not a Status: some filters do. */
export class PlainTextError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** `deployments.apps` style qualified resource used in most messages. */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(group: string, resource: string, name: string): StatusError {
  return new StatusError(404, "NotFound", `${qualifiedResource(group, resource)} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });
}

export function resourceNotFound(): StatusError {
  return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
}

export function alreadyExists(group: string, resource: string, name: string): StatusError {
  return new StatusError(409, "AlreadyExists", `${qualifiedResource(group, resource)} "${name}" already exists`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });
}

export function conflict(group: string, resource: string, name: string, why: string): StatusError {
  return new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
    { name, ...(group ? { group } : {}), kind: resource },
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, "BadRequest", message);
}

export function methodNotAllowed(): StatusError {
  return new StatusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`,
  );
}

export function unauthorized(): StatusError {
  return new StatusError(401, "Unauthorized", "Unauthorized");
}

export function gone(message: string): StatusError {
  return new StatusError(410, "Expired", message);
}

export interface FieldError {
  type:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueTypeInvalid"
    | "FieldValueNotSupported"
    | "FieldValueDuplicate"
    | "FieldValueForbidden"
    | "FieldValueTooLong"
    | "FieldValueTooMany";
  field: string;
  detail: string;
  value?: unknown;
}

/** A value rendered verbatim in messages, for Go's %#v of maps and structs. */
export class GoLiteral {
  constructor(readonly text: string) {}
}

function goValue(value: unknown): string {
  if (value instanceof GoLiteral) return value.text;
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined || value === null) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Renders one field error the way k8s.io/apimachinery's field.Error does. */
export function fieldErrorMessage(e: FieldError): string {
  switch (e.type) {
    case "FieldValueRequired":
      return `Required value${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueInvalid":
    case "FieldValueTypeInvalid":
      return `Invalid value: ${goValue(e.value)}${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueNotSupported":
      return `Unsupported value: ${goValue(e.value)}${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueDuplicate":
      return `Duplicate value: ${goValue(e.value)}`;
    case "FieldValueForbidden":
      return `Forbidden: ${e.detail}`;
    case "FieldValueTooLong":
      return `Too long: ${e.detail}`;
    case "FieldValueTooMany":
      return `Too many: ${goValue(e.value)}: ${e.detail}`;
  }
}

export function invalid(group: string, kind: string, name: string, errors: FieldError[]): StatusError {
  const parts = errors.map((e) => `${e.field}: ${fieldErrorMessage(e)}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return new StatusError(422, "Invalid", `${kind}${group ? `.${group}` : ""} "${name}" is invalid: ${summary}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorMessage(e), field: e.field })),
  });
}
