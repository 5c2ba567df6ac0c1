// Structured logs (pino). Redaction is a second line of defence: nothing should log a token, password,
// cookie or secret in the first place.
import pino from 'pino';

export function createLogger(level: string) {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'code', '*.code', 'cookie', '*.cookie', 'headers.cookie', 'secret', '*.secret', 'authorization', '*.authorization'],
      censor: '[redacted]',
    },
  });
}
export type { Logger } from 'pino';
