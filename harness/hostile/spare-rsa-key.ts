import { type KeyObject, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generateRsaKeyPair = promisify(generateKeyPair);

let spare: Promise<KeyObject> | undefined;

function generate(): Promise<KeyObject> {
  return generateRsaKeyPair('rsa', { modulusLength: 2048 }).then(({ privateKey }) => privateKey);
}

/**
 * Starts generating an RSA 2048 key on libuv's thread pool for the next {@link rsaPrivateKey}: a
 * command that will need one (the hostile suite's signing key) starts it before loading the rest
 * of its modules and its input, so the 70–200 ms of the generation overlap that work.
 */
export function prepareRsaKey(): void {
  spare ??= generate();
  // Taken (and its failure reported) by rsaPrivateKey(); never an unhandled rejection before that.
  spare.catch(() => undefined);
}

/** A new RSA 2048 private key: the one {@link prepareRsaKey} started, else generated now. Each key is handed out once. */
export function rsaPrivateKey(): Promise<KeyObject> {
  const key = spare ?? generate();
  spare = undefined;
  return key;
}
