import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from anywhere). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The WeChat fixtures kept in the repo (official vectors and sample pushes). */
export const wechatFixturesDir = path.resolve(repoRoot, 'fixtures/wechat');

/** Reads one fixture file as text. */
export function wechatFixture(name: string): string {
  return fs.readFileSync(path.join(wechatFixturesDir, name), 'utf8');
}

interface VectorSetB {
  token: string;
  encodingAESKey: string;
  appid: string;
  timestamp: string;
  nonce: string;
  msg_signature: string;
}

/** The official test vectors (vectors.json). */
export function wechatVectors(): { B_wxbizmsgcrypt_sample: VectorSetB } & Record<string, unknown> {
  return JSON.parse(wechatFixture('vectors.json')) as {
    B_wxbizmsgcrypt_sample: VectorSetB;
  } & Record<string, unknown>;
}
