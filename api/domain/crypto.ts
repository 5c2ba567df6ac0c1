// Secrets and digests: token HMACs, password hashes, session and sign-in secrets, sealed deliveries.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  randomInt,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Hasher } from './hasher';
import { Limiter } from './limiter';

// Every scrypt runs through one limiter: half the cores at most (one on a two-core host), so the other
// half always serves validation; at most 200 wait, beyond that sign-in answers 503 with Retry-After.
// Each runs on a hashing thread at the lowest CPU priority (hasher.ts), so even the core it takes goes to
// validation first when both want it.
const SCRYPT_SLOTS = Math.max(1, Math.floor(availableParallelism() / 2));
const scryptSlots = new Limiter(SCRYPT_SLOTS, 200);
const hasher = new Hasher(SCRYPT_SLOTS);
const scryptAsync = (pw: string, salt: Buffer, len: number, opts: object) => scryptSlots.run(() => hasher.scrypt(pw, salt, len, opts));

/** A token of `length` decimal digits, every digit from the CSPRNG (leading zeros allowed). */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

// Node 24 takes about 16 µs to accept a Buffer as a key, against 2 µs for a KeyObject (Node 20: 2.4 µs either
// way), and validation keys an HMAC with APP_SECRET on every call: each secret becomes a KeyObject once.
const keyObjects = new WeakMap<Buffer, KeyObject>();
export function secretKey(secret: Buffer): KeyObject {
  let key = keyObjects.get(secret);
  if (!key) {
    key = createSecretKey(secret);
    keyObjects.set(secret, key);
  }
  return key;
}

/** The keyed hash kept instead of a token's plaintext; without the secret a dump cannot be brute-forced. */
export const tokenHash = (secret: Buffer, plaintext: string) => createHmac('sha256', secretKey(secret)).update(`token:${plaintext}`).digest('hex');

/**
 * The secrets tokens may have been made under: APP_SECRET first, then APP_SECRET_PREVIOUS (a rotation
 * keeps the old ones until the tokens made under them are used or expired).
 */
export const tokenSecrets = (config: { secret: Buffer; previousSecrets: Buffer[] }): Buffer[] => [config.secret, ...config.previousSecrets];

/** A short one-way name of a secret (not the secret): sealed values carry it; logs and the CLI show it. */
export const keyId = (secret: Buffer) => createHmac('sha256', secretKey(secret)).update('emergency-token key id').digest('hex').slice(0, 12);

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** An unguessable opaque secret (session cookie, sign-in code). */
export const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

// scrypt parameters: N=2^15 costs ~50 ms here, enough to slow guessing, cheap enough for a login.
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  // Without a stored hash we still spend the same work, so timing does not reveal which usernames exist.
  const parts = (stored ?? DUMMY_HASH).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return stored !== null && timingSafeEqual(key, expected);
}
const DUMMY_HASH = `scrypt$${SCRYPT.N}$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

/**
 * Sealed delivery: a newly assigned token's plaintext is kept encrypted (AES-256-GCM, key derived from
 * APP_SECRET) only until it reaches its holder once, then the ciphertext is cleared.
 */
export function seal(secret: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(secret), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  // Prefixed with the key id, so after a rotation the right secret is picked without trying each.
  return [keyId(secret), ...[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'))].join('.');
}

/**
 * Open a sealed value with whichever of `secrets` sealed it: the one its key id names, or (values sealed
 * before key ids, `iv.tag.data`) each in turn; the GCM tag refuses a wrong key.
 */
export function unseal(secrets: Buffer | Buffer[], sealed: string): string {
  const keys = Array.isArray(secrets) ? secrets : [secrets];
  const parts = sealed.split('.');
  const id = parts.length === 4 ? parts.shift()! : undefined;
  const [iv, tag, data] = parts.map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !data || parts.length !== 3) throw new Error('malformed sealed value');
  const candidates = id === undefined ? keys : keys.filter((k) => keyId(k) === id);
  if (candidates.length === 0) throw new Error(`sealed under APP_SECRET key ${id}, which is not configured (APP_SECRET_PREVIOUS)`);
  let last: unknown;
  for (const secret of candidates) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', sealKey(secret), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

const sealKeys = new WeakMap<Buffer, KeyObject>();
function sealKey(secret: Buffer): KeyObject {
  let key = sealKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'emergency-token', 'sealed-delivery', 32)));
    sealKeys.set(secret, key);
  }
  return key;
}
