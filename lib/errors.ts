import { ZodError } from "zod";

/**
 * Every expected failure in Wharf has a code; the code decides the HTTP status. Messages are for people and never
 * carry secret material.
 */
export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  WEBHOOK_SIGNATURE_INVALID: 401,
  AGENT_UNAUTHENTICATED: 401,
  ENROLMENT_TOKEN_INVALID: 401,
  FORBIDDEN: 403,
  CSRF_ORIGIN_MISMATCH: 403,
  ACCOUNT_DISABLED: 403,
  APPROVAL_SELF_FORBIDDEN: 403,
  APPROVAL_AUTHOR_FORBIDDEN: 403,
  APPROVAL_ROLE_FORBIDDEN: 403,
  APPROVAL_TOKEN_FORBIDDEN: 403,
  AGENT_SCOPE_FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  NAME_TAKEN: 409,
  TARGET_NOT_PUSH: 409,
  TARGET_NOT_PULL: 409,
  REPO_ALREADY_REGISTERED: 409,
  CREDENTIAL_NOT_ACTIVE: 409,
  LAST_ADMIN: 409,
  APPROVAL_ALREADY_DECIDED: 409,
  DEPLOYMENT_STATE_CONFLICT: 409,
  TARGET_BUSY: 409,
  APPLICATION_BUSY: 409,
  TARGET_ARCHIVED: 409,
  APPLICATION_ARCHIVED: 409,
  ROTATION_NOT_AUTOMATIC: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  INVALID_KUBECONFIG: 422,
  INVALID_CREDENTIAL_MATERIAL: 422,
  RATE_LIMITED: 429,
  ROTATION_FAILED: 502,
  SCOPE_CHECK_FAILED: 502,
  MASTER_KEY_UNAVAILABLE: 500,
  CREDENTIAL_UNREADABLE: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldErrors {
  [field: string]: string[];
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldErrors | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, opts: { fields?: FieldErrors; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.fields = opts.fields;
    this.headers = opts.headers;
  }
}

/** Field errors keyed by dotted path, the shape forms show next to inputs. */
export function zodFieldErrors(error: ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldErrors };
}

/** Maps any thrown value to a status and the `{error:{code,message}}` body; unknown errors get a generic message. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } },
      ...(err.headers ? { headers: err.headers } : {}),
    };
  }
  if (err instanceof ZodError) {
    const fields = zodFieldErrors(err);
    const first = err.issues[0];
    const message = first ? `${first.path.join(".") || "input"}: ${first.message}` : "Invalid input";
    return { status: 422, body: { error: { code: "VALIDATION_FAILED", message, fields } } };
  }
  if (isUniqueViolation(err)) {
    return {
      status: 409,
      body: { error: { code: "CONFLICT", message: "A record with the same unique value already exists." } },
    };
  }
  return {
    status: 500,
    body: { error: { code: "INTERNAL", message: "Something went wrong on our side. The request changed nothing." } },
  };
}

/** Prisma's unique-constraint violation, for races that slip past an explicit check. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}
