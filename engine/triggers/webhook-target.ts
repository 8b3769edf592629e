import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { WebhookTargetForbiddenError, WebhookTargetUnresolvedError } from './errors.ts';
import { isPrivateAddress } from '../outbound/private-address.ts';

/** Resolves a host name to its addresses (all of them: any private one refuses the target). */
export type HostLookup = (host: string) => Promise<string[]>;

export interface CheckedWebhookTarget {
  url: URL;
  /** The addresses checked; connect to one of these, not to a fresh resolution (DNS rebinding). */
  addresses: string[];
}

/**
 * Refuses an outgoing webhook target that could probe the engine's own network: schemes other
 * than http(s), credentials in the URL, and any resolved address that is loopback, private or
 * otherwise not public (isPrivateAddress) unless allowPrivate (CLOUDFN_WEBHOOK_ALLOW_PRIVATE=1).
 * The only I/O of the triggers area: the DNS lookup, replaceable through `lookup`.
 */
export async function checkWebhookTarget(
  target: string,
  options: { allowPrivate: boolean; lookup?: HostLookup },
): Promise<CheckedWebhookTarget> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new WebhookTargetForbiddenError(target, 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookTargetForbiddenError(
      target,
      `scheme ${url.protocol} is not allowed; use http: or https:`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new WebhookTargetForbiddenError(target, 'credentials in the URL are not allowed');
  }
  // WHATWG URL already normalised "127.1", "0x7f.0.0.1" and "2130706433" to 127.0.0.1.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const addresses =
    isIP(host) !== 0 ? [host] : await resolve(target, host, options.lookup ?? systemLookup);
  if (!options.allowPrivate) {
    const forbidden = addresses.find(isPrivateAddress);
    if (forbidden !== undefined) {
      throw new WebhookTargetForbiddenError(
        target,
        `${host} resolves to ${forbidden}, a loopback, private or reserved address; set CLOUDFN_OUTBOUND_ALLOW_PRIVATE=1 (or CLOUDFN_WEBHOOK_ALLOW_PRIVATE=1) to allow it`,
        { address: forbidden },
      );
    }
  }
  return { url, addresses };
}

async function resolve(target: string, host: string, lookup: HostLookup): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch (err) {
    throw new WebhookTargetUnresolvedError(target, host, (err as Error).message);
  }
  if (addresses.length === 0) throw new WebhookTargetUnresolvedError(target, host, 'no addresses');
  return addresses;
}

async function systemLookup(host: string): Promise<string[]> {
  const found = await dnsLookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}
