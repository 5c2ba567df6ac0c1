// What text the system accepts. Postgres cannot store a NUL character in text or jsonb, and a lone UTF-16
// surrogate is not Unicode at all (jsonb refuses it; text would silently get U+FFFD). Such input is
// refused as invalid_input rather than altered, so what is stored is what was sent; the one exception is
// a sign-in attempt, which is recorded (counted and audited) with those characters replaced.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const STORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

export const isStorableText = (s: string) => !NUL.test(s) && !LONE_SURROGATE.test(s);

/** The text with NUL and unpaired surrogates replaced by U+FFFD, for recording input that was refused. */
export const toStorableText = (s: string) => s.replace(new RegExp(NUL, 'g'), '\ufffd').replace(new RegExp(LONE_SURROGATE, 'g'), '\ufffd');
