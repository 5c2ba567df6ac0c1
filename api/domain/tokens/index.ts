// Tokens, one idea per module: generation, validation (the hot path), revocation, listing, and the
// one-time delivery of assigned tokens. Callers import from here.
export { presentToken } from './present';
export { DEFAULT_TOKEN_LENGTH, generateTokens, issueTokens, type IssueSpec } from './generate';
export { DOUBLE_TAP_SECONDS, validateToken, type ValidateFailureCode, type ValidateInput } from './validate';
export { revokeToken } from './revoke';
export { listTokens, myTokens, type TokenFilter } from './list';
export { holdSealedTokens, releaseHeldTokens, revealMyTokens, takeSealedTokens, unsealHeld, type HeldTokens } from './reveal';
