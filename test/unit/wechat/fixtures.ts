import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { WechatError, type WechatErrorCode } from '../../../engine/wechat/index.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const FIXTURE_DIR = path.resolve(repoRoot, 'fixtures/wechat');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURE_DIR, name));
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((name) => name !== 'vectors.json');
}

interface Vectors {
  A_url_verify: {
    token: string;
    timestamp: string;
    nonce: string;
    echostr: string;
    signature: string;
  };
  A_plain_post: {
    token: string;
    timestamp: string;
    nonce: string;
    signature: string;
    body: string;
  };
  A_safe_post: {
    token: string;
    encodingAESKey: string;
    appid: string;
    timestamp: string;
    nonce: string;
    signature: string;
    msg_signature: string;
    body: string;
    decrypted_random: string;
    decrypted_msg_len: number;
    decrypted_msg: string;
  };
  A_safe_reply: {
    random: string;
    msg: string;
    appid: string;
    timestamp: string;
    nonce: string;
    encrypt: string;
    msg_signature: string;
  };
  B_wxbizmsgcrypt_sample: {
    token: string;
    encodingAESKey: string;
    appid: string;
    timestamp: string;
    nonce: string;
    msg_signature: string;
    signature_computed_by_us: string;
    body: string;
    decrypted_random: string;
    decrypted_msg_len: number;
    decrypted_msg: string;
  };
  C_java_sample_encrypt: {
    encodingAESKey: string;
    appid: string;
    random: string;
    msg: string;
    encrypt: string;
  };
}

export const vectors = JSON.parse(fixture('vectors.json').toString('utf8')) as Vectors;

/** Asserts that `run` throws a WechatError with `code` (and its documented status). */
export function expectWechatError(run: () => unknown, code: WechatErrorCode): WechatError {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected ${code}`).toBeInstanceOf(WechatError);
  const error = thrown as WechatError;
  expect(error.code).toBe(code);
  return error;
}
