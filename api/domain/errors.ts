// One error type for every refusal the domain makes. Routes map it to the contract's error shape
// (api/http/errors.ts); the bot turns it into an ephemeral message.
export const errorStatus = {
  invalid_input: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_code: 401,
  forbidden: 403,
  self_approval: 403,
  self_review: 403,
  grant_required: 403,
  not_found: 404,
  conflict: 409,
  already_decided: 409,
  already_reviewed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  token_invalid: 422,
  token_used: 422,
  token_expired: 422,
  too_many_attempts: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class DomainError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): (typeof errorStatus)[ErrorCode] {
    return errorStatus[this.code];
  }
}

export const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, details);
};
