import { createDecipheriv, type Decipheriv } from 'node:crypto';
import type { AesKey } from './account.ts';

const BLOCK = 16;

/**
 * AES-256-CBC decryption of whole blocks, no padding removed, through one decipher per key
 * kept while the key is: creating a decipher (an OpenSSL context and its key schedule) cost
 * about as much as decrypting a push (docs/performance.md, "The receiver's own cost").
 *
 * Why a reused decipher is exact: in CBC each plaintext block is D(C_i) XOR C_(i-1), C_0 being
 * the IV. A decipher that has taken text holds the last block it took as its chaining value,
 * so of the next text only the first block comes out XORed with that block instead of the IV;
 * XORing both back in gives the true block. Every later block chains on the text's own blocks.
 * Without padding, `update` gives every block at once, so the decipher never holds a block
 * back and is never finalised.
 */
class ChainedDecipher {
  readonly #decipher: Decipheriv;
  readonly #iv: Buffer;
  /** The decipher's chaining value: the IV at first, then the last block it took. */
  readonly #chain: Buffer;

  constructor(key: AesKey) {
    this.#decipher = createDecipheriv('aes-256-cbc', key.key, key.iv).setAutoPadding(false);
    this.#iv = key.iv;
    this.#chain = Buffer.from(key.iv);
  }

  decrypt(cipherText: Buffer): Buffer {
    const plain = this.#decipher.update(cipherText);
    if (plain.length !== cipherText.length) {
      throw new Error(`AES-CBC gave ${plain.length} bytes for ${cipherText.length}.`);
    }
    for (let i = 0; i < BLOCK; i++) plain[i]! ^= this.#chain[i]! ^ this.#iv[i]!;
    cipherText.copy(this.#chain, 0, cipherText.length - BLOCK);
    return plain;
  }
}

const decipherOf = new WeakMap<AesKey, ChainedDecipher>();

/**
 * Decrypts `cipherText` (a whole number of 16-byte blocks, at least one) with the key and its
 * IV, as a fresh `createDecipheriv(...).setAutoPadding(false)` would; the padding is the
 * caller's to check.
 */
export function decryptBlocks(key: AesKey, cipherText: Buffer): Buffer {
  if (cipherText.length === 0 || cipherText.length % BLOCK !== 0) {
    throw new RangeError(`AES-CBC takes whole blocks of ${BLOCK} bytes, not ${cipherText.length}.`);
  }
  let decipher = decipherOf.get(key);
  if (!decipher) decipherOf.set(key, (decipher = new ChainedDecipher(key)));
  try {
    return decipher.decrypt(cipherText);
  } catch (err) {
    // Its chaining value is unknown now: the next text gets a fresh decipher.
    decipherOf.delete(key);
    throw err;
  }
}
