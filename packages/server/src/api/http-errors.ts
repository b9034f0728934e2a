import { Errors, XinboxError } from '@xinbox/protocol';

const STATUS: Record<number, number> = {
  [Errors.INVALID_ARGUMENT.code]: 400,
  [Errors.BAD_FRAME.code]: 400,
  [Errors.TOKEN_INVALID.code]: 401,
  [Errors.TOKEN_EXPIRED.code]: 401,
  [Errors.TOKEN_REVOKED.code]: 401,
  [Errors.BAD_CREDENTIALS.code]: 401,
  [Errors.REFRESH_INVALID.code]: 401,
  [Errors.NOT_AUTHENTICATED.code]: 401,
  [Errors.PERMISSION_DENIED.code]: 403,
  [Errors.NOT_A_MEMBER.code]: 403,
  [Errors.NOT_FOUND.code]: 404,
  // A room of another app is answered as one that does not exist (ADR 0013): a plain 404 either way.
  [Errors.ROOM_NOT_FOUND.code]: 404,
  [Errors.USERNAME_TAKEN.code]: 409,
  [Errors.FRAME_TOO_LARGE.code]: 413,
  [Errors.RATE_LIMITED.code]: 429,
  [Errors.MEDIA_NOT_FOUND.code]: 404,
  [Errors.MEDIA_ACCESS_DENIED.code]: 403,
  [Errors.MEDIA_TOO_LARGE.code]: 413,
  [Errors.MEDIA_QUOTA_EXCEEDED.code]: 413,
  [Errors.MEDIA_URL_EXPIRED.code]: 403,
  [Errors.MEDIA_URL_INVALID.code]: 403,
  [Errors.UPLOAD_OFFSET_MISMATCH.code]: 409,
  [Errors.MEDIA_KIND_MISMATCH.code]: 400,
  [Errors.RANGE_NOT_SATISFIABLE.code]: 416,
  [Errors.APP_SECRET_INVALID.code]: 401,
  [Errors.APP_NOT_FOUND.code]: 404,
  [Errors.APP_ID_TAKEN.code]: 409,
  [Errors.APP_DEFAULT_IMMUTABLE.code]: 409,
  [Errors.APP_SECRET_LAST.code]: 409,
  [Errors.APP_SECRET_NOT_FOUND.code]: 404,
  [Errors.APP_SECRET_PREFIX_AMBIGUOUS.code]: 409,
  [Errors.UNAVAILABLE.code]: 503,
  [Errors.TIMEOUT.code]: 504,
};

/** HTTP status and JSON body for an error; unknown errors become INTERNAL without details. */
export function httpError(e: unknown): { status: number; body: { error: { code: number; name: string; message: string; retryable: boolean; retryAfterMs?: number } } } {
  const err = e instanceof XinboxError ? e : new XinboxError(Errors.INTERNAL);
  return {
    status: STATUS[err.code] ?? (err.code >= 1500 ? 500 : 400),
    body: { error: { code: err.code, name: err.errorName, message: err.message, retryable: err.retryable, ...(err.retryAfterMs > 0 ? { retryAfterMs: err.retryAfterMs } : {}) } },
  };
}

interface ValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/** One message for a failed schema check, in the words IdentityService uses ("username is required"). */
export function validationMessage(issues: readonly ValidationIssue[], where: string): string {
  return issues.map((i) => {
    const field = i.keyword === 'required' ? String(i.params.missingProperty) : i.instancePath.replace(/^\//, '').replace(/\//g, '.') || where;
    if (i.keyword === 'required') return `${field} is required`;
    if (i.keyword === 'type') return `${field} must be a ${String(i.params.type)}`;
    return `${field} ${i.message ?? 'is invalid'}`;
  }).join('; ');
}
