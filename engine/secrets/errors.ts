import { EngineError } from '../errors.ts';

/** A stored secret is sealed under a key the engine was not given (lost or rotated away). */
export class SecretsKeyMismatchError extends EngineError {
  constructor(keyId: string) {
    super(
      'E_SECRETS_KEY_MISMATCH',
      `A stored secret was encrypted with key ${keyId}, which is neither CLOUDFN_SECRETS_KEY (or data/secrets.key) nor CLOUDFN_SECRETS_KEY_OLD. Start with the key it was written with, or give it as CLOUDFN_SECRETS_KEY_OLD to re-encrypt (docs/deployment.md, "Secrets at rest").`,
      { details: { keyId } },
    );
    this.name = 'SecretsKeyMismatchError';
  }
}

/** A sealed value that does not open: altered, truncated, or moved to another row. */
export class SecretCorruptError extends EngineError {
  constructor(context: string) {
    super('E_SECRET_CORRUPT', `The stored secret ${context} does not decrypt: it was altered.`, {
      details: { context },
    });
    this.name = 'SecretCorruptError';
  }
}
