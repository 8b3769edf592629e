// The reused decipher (engine/wechat/cbc-decipher.ts) must give what a fresh decipher gives,
// whatever texts, keys and failures came before.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptBlocks } from '../../../engine/wechat/cbc-decipher.ts';
import { prepareAccount, type AesKey } from '../../../engine/wechat/index.ts';

const keyOf = (seed: number): AesKey => {
  const encodingAESKey = Buffer.alloc(32, seed).toString('base64').slice(0, 43);
  return prepareAccount({ appId: 'wx0', token: 't', mode: 'safe', encodingAESKey }).keys[0]!;
};

const fresh = (key: AesKey, cipherText: Buffer): Buffer => {
  const decipher = createDecipheriv('aes-256-cbc', key.key, key.iv).setAutoPadding(false);
  return Buffer.concat([decipher.update(cipherText), decipher.final()]);
};

const encrypt = (key: AesKey, plain: Buffer): Buffer => {
  const cipher = createCipheriv('aes-256-cbc', key.key, key.iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
};

describe('decryptBlocks', () => {
  const keys = [keyOf(1), keyOf(2)];

  it('matches a fresh decipher over texts of 1 to 70 blocks, two keys interleaved', () => {
    for (let i = 0; i < 300; i++) {
      const key = keys[i % 3 === 0 ? 1 : 0]!;
      const plain = randomBytes(16 * (1 + ((i * 7) % 70)));
      const cipherText = encrypt(key, plain);
      expect(decryptBlocks(key, cipherText)).toStrictEqual(plain);
    }
  });

  it('stays exact after a text under the wrong key (a rotated key tried first)', () => {
    const [current, previous] = keys as [AesKey, AesKey];
    for (let i = 0; i < 50; i++) {
      const cipherText = encrypt(previous, randomBytes(32 + 16 * (i % 5)));
      expect(decryptBlocks(current, cipherText)).toStrictEqual(fresh(current, cipherText));
      expect(decryptBlocks(previous, cipherText)).toStrictEqual(fresh(previous, cipherText));
    }
  });

  it('matches a fresh decipher on random bytes, which decrypt to garbage', () => {
    for (let i = 0; i < 100; i++) {
      const cipherText = randomBytes(16 * (1 + (i % 9)));
      expect(decryptBlocks(keys[0]!, cipherText)).toStrictEqual(fresh(keys[0]!, cipherText));
    }
  });

  it('leaves the caller its cipher text unchanged', () => {
    const cipherText = encrypt(keys[0]!, randomBytes(64));
    const copy = Buffer.from(cipherText);
    decryptBlocks(keys[0]!, cipherText);
    expect(cipherText).toStrictEqual(copy);
  });

  it('refuses a text that is not whole blocks, and decrypts right after', () => {
    expect(() => decryptBlocks(keys[0]!, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => decryptBlocks(keys[0]!, Buffer.alloc(17))).toThrow(RangeError);
    const plain = randomBytes(48);
    expect(decryptBlocks(keys[0]!, encrypt(keys[0]!, plain))).toStrictEqual(plain);
  });
});
