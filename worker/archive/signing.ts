import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sha256 } from './digest.ts';

export const SIGNING_KEY_ENV = 'JIBAO_ARCHIVE_SIGNING_KEY';

/** Thrown for a key that cannot be used; the message never carries the key's text. */
/** A misconfigured key is the operator's to fix (exit 1), never retried; the key itself is never in the message. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
  readonly code = 'ARCHIVE_SIGNING_KEY_INVALID';
  readonly retryable = false;
  constructor(message: string) {
    super(`${message} [ARCHIVE_SIGNING_KEY_INVALID]`);
  }
}

export interface Signer {
  /** Identifies the key in signatures: the first 16 hex digits of the SHA-256 of its public key (DER). */
  readonly keyId: string;
  sign(data: Uint8Array | string): string;
  publicKeyPem(): string;
}

export interface SignatureChecker {
  readonly keyId: string;
  check(data: Uint8Array | string, signature: string): boolean;
}

/** An Ed25519 private key as PEM or as base64 PKCS#8 DER (what fits in one environment variable). */
export function loadSigner(text: string): Signer {
  let key: KeyObject;
  try {
    const trimmed = text.trim();
    key = trimmed.startsWith('-----')
      ? createPrivateKey({ key: trimmed, format: 'pem' })
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    // The crypto error may quote the input: say what is wrong, not what was given.
    throw new SigningKeyError(`${SIGNING_KEY_ENV} is not a private key (expected Ed25519, PEM or base64 PKCS#8)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${SIGNING_KEY_ENV} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; an Ed25519 key is needed`);
  const pub = createPublicKey(key);
  const keyId = keyIdOf(pub);
  return {
    keyId,
    sign: (data) => sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, key).toString('base64'),
    publicKeyPem: () => pub.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The signer configured by the environment, if any. */
export function signerFromEnv(env: NodeJS.ProcessEnv = process.env): Signer | undefined {
  const text = env[SIGNING_KEY_ENV];
  return text && text.trim() ? loadSigner(text) : undefined;
}

/** An Ed25519 public key as SPKI PEM (what `jibao archive public-key` prints). */
export function loadChecker(pem: string): SignatureChecker {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError('the public key is not a PEM public key (expected what `jibao archive public-key` prints)');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`the public key is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; an Ed25519 key is needed`);
  return {
    keyId: keyIdOf(key),
    check: (data, signature) => {
      try {
        return verify(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, key, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
  };
}

function keyIdOf(pub: KeyObject): string {
  return sha256(pub.export({ type: 'spki', format: 'der' })).slice(0, 16);
}

/** `manifest.sig` beside `manifest.json`: a signature over the manifest's exact bytes. */
export interface ManifestSignature {
  readonly algorithm: 'Ed25519';
  readonly keyId: string;
  readonly signature: string;
}

export const SIGNATURE_NAME = 'manifest.sig';
