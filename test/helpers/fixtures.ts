import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from anywhere). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared WeChat fixtures: beside the repo, as CI lays them out (../shared). */
export const wechatFixturesDir = path.resolve(repoRoot, '../shared/fixtures/wechat');

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
