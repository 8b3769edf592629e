import { describe, expect, test } from 'vitest';
import {
  checkWebhookTarget,
  signWebhookBody,
  verifyWebhookSignature,
  WebhookTargetForbiddenError,
  WebhookTargetUnresolvedError,
} from '../../../engine/triggers/index.ts';
import { catchAsyncError } from './catch-error.ts';

/** A resolver answering from a table, as DNS would; counts its calls. */
function resolver(table: Record<string, string[]>) {
  const calls: string[] = [];
  const lookup = async (host: string): Promise<string[]> => {
    calls.push(host);
    const found = table[host];
    if (!found) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
    return found;
  };
  return { lookup, calls };
}

const DNS = resolver({
  'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'rebind.example.com': ['93.184.216.34', '127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'v6local.example.com': ['::ffff:10.0.0.5'],
  localhost: ['127.0.0.1', '::1'],
  'empty.example.com': [],
});

const forbidden = async (url: string, allowPrivate = false) => {
  const err = await catchAsyncError(() =>
    checkWebhookTarget(url, { allowPrivate, lookup: DNS.lookup }),
  );
  expect(err).toBeInstanceOf(WebhookTargetForbiddenError);
  expect((err as WebhookTargetForbiddenError).code).toBe('E_WEBHOOK_TARGET_FORBIDDEN');
  expect((err as WebhookTargetForbiddenError).status).toBe(400);
  return err as WebhookTargetForbiddenError;
};

describe('checkWebhookTarget', () => {
  test('a public host passes, with the addresses it was checked against', async () => {
    const target = await checkWebhookTarget('https://hooks.example.com/in?x=1', {
      allowPrivate: false,
      lookup: DNS.lookup,
    });
    expect(target.addresses).toEqual(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
    expect(target.url.hostname).toBe('hooks.example.com');
  });

  test('a public IP literal passes without DNS', async () => {
    const before = DNS.calls.length;
    expect(
      (
        await checkWebhookTarget('http://8.8.8.8:8080/', {
          allowPrivate: false,
          lookup: DNS.lookup,
        })
      ).addresses,
    ).toEqual(['8.8.8.8']);
    expect(
      (
        await checkWebhookTarget('http://[2606:4700:4700::1111]/', {
          allowPrivate: false,
          lookup: DNS.lookup,
        })
      ).addresses,
    ).toEqual(['2606:4700:4700::1111']);
    expect(DNS.calls.length).toBe(before);
  });

  test.each([
    'http://127.0.0.1:3000/hook',
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f.0.0.1/',
    'http://0177.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://10.1.2.3/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0:22/',
    'http://localhost:3000/',
    'http://LOCALHOST/',
    'http://metadata.example.com/',
    'http://v6local.example.com/',
  ])('refuses %s', async (url) => {
    const err = await forbidden(url);
    expect(err.message).toMatch(/CLOUDFN_WEBHOOK_ALLOW_PRIVATE=1/);
  });

  test('any private address among several refuses (DNS answers may mix)', async () => {
    const err = await forbidden('https://rebind.example.com/');
    expect(err.details?.['address']).toBe('127.0.0.1');
  });

  test('allowPrivate lets loopback and private targets through', async () => {
    const target = await checkWebhookTarget('http://localhost:4000/', {
      allowPrivate: true,
      lookup: DNS.lookup,
    });
    expect(target.addresses).toEqual(['127.0.0.1', '::1']);
    await checkWebhookTarget('http://127.0.0.1:4000/', { allowPrivate: true, lookup: DNS.lookup });
  });

  test.each([
    ['ftp://example.com/', /scheme ftp:/],
    ['file:///etc/passwd', /scheme file:/],
    ['gopher://127.0.0.1:6379/', /scheme gopher:/],
    ['javascript:alert(1)', /scheme/],
    ['not a url', /absolute URL/],
    ['https://user:pass@hooks.example.com/', /credentials/],
    ['https://user@hooks.example.com/', /credentials/],
  ])('refuses %s even with allowPrivate', async (url, reason) => {
    expect((await forbidden(url, true)).message).toMatch(reason);
  });

  test('a host that does not resolve is E_WEBHOOK_TARGET_UNRESOLVED (worth a retry)', async () => {
    for (const url of ['https://nowhere.example.com/', 'https://empty.example.com/']) {
      const err = await catchAsyncError(() =>
        checkWebhookTarget(url, { allowPrivate: false, lookup: DNS.lookup }),
      );
      expect(err).toBeInstanceOf(WebhookTargetUnresolvedError);
      expect((err as WebhookTargetUnresolvedError).code).toBe('E_WEBHOOK_TARGET_UNRESOLVED');
    }
  });

  test('the system resolver is used by default (localhost resolves to loopback)', async () => {
    await expect(
      checkWebhookTarget('http://localhost:1/', { allowPrivate: false }),
    ).rejects.toBeInstanceOf(WebhookTargetForbiddenError);
  });
});

describe('webhook signatures', () => {
  test('sha256=<hex HMAC-SHA256 of the body>', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(signWebhookBody('Jefe', 'what do ya want for nothing?')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  test('the body is signed as UTF-8', () => {
    expect(signWebhookBody('k', '{"a":"你好"}')).toBe(
      signWebhookBody('k', Buffer.from('{"a":"你好"}', 'utf8').toString()),
    );
    expect(signWebhookBody('k', 'a')).not.toBe(signWebhookBody('k', 'b'));
    expect(signWebhookBody('k1', 'a')).not.toBe(signWebhookBody('k2', 'a'));
  });

  test('verifyWebhookSignature accepts only the exact header', () => {
    const body = JSON.stringify({ trigger: 't', data: { x: 1 } });
    const header = signWebhookBody('secret-1234', body);
    expect(verifyWebhookSignature('secret-1234', body, header)).toBe(true);
    expect(verifyWebhookSignature('secret-1235', body, header)).toBe(false);
    expect(verifyWebhookSignature('secret-1234', `${body} `, header)).toBe(false);
    expect(verifyWebhookSignature('secret-1234', body, header.toUpperCase())).toBe(false);
    expect(verifyWebhookSignature('secret-1234', body, header.slice(0, -1))).toBe(false);
    expect(verifyWebhookSignature('secret-1234', body, '')).toBe(false);
  });
});
