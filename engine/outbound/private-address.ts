import { isIPv4, isIPv6 } from 'node:net';

/**
 * The SSRF classifier of outgoing requests (webhooks, functions' fetch and BaaS.request): true for every address that is not plain public
 * unicast: loopback, private, shared (CGNAT), link-local, documentation, benchmarking,
 * multicast, reserved, and IPv6 forms that carry one of those IPv4 addresses (mapped
 * ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). IPv6 outside global unicast 2000::/3
 * is refused as a whole, as are Teredo tunnels (2001::/32), whose far end cannot be judged.
 * Sources: IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890 and updates).
 */

const V4_BLOCKS: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255
];

const V4_RANGES = V4_BLOCKS.map(([base, bits]) => ({
  base: v4ToInt(base),
  mask: bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0,
}));

/** True when an address must not be the target of a webhook; also for text that is no IP. */
export function isPrivateAddress(ip: string): boolean {
  const text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (isIPv4(text)) return isPrivateV4(v4ToInt(text));
  if (isIPv6(text)) return isPrivateV6(v6Words(text));
  return true; // not an address: fail closed
}

function isPrivateV4(n: number): boolean {
  return V4_RANGES.some(({ base, mask }) => (n & mask) >>> 0 === base);
}

function isPrivateV6(w: number[]): boolean {
  const at = (i: number): number => w[i] ?? 0;
  const zeros = (from: number, to: number): boolean => w.slice(from, to).every((x) => x === 0);
  const embeddedV4 = (hi: number, lo: number): number => ((hi << 16) | lo) >>> 0;

  if (zeros(0, 5) && at(5) === 0xffff) return isPrivateV4(embeddedV4(at(6), at(7))); // ::ffff:a.b.c.d
  if (zeros(0, 6)) return true; // ::, ::1 and deprecated IPv4-compatible ::a.b.c.d
  if (at(0) === 0x64 && at(1) === 0xff9b && zeros(2, 6))
    return isPrivateV4(embeddedV4(at(6), at(7))); // NAT64
  if (at(0) === 0x2002) return isPrivateV4(embeddedV4(at(1), at(2))); // 6to4
  if ((at(0) & 0xe000) !== 0x2000) return true; // outside global unicast: ULA, link-local, multicast, …
  if (at(0) === 0x2001) {
    const second = at(1);
    if (second === 0) return true; // Teredo 2001::/32
    if (second === 0x0db8) return true; // documentation 2001:db8::/32
    if (second === 0x0002 && at(2) === 0) return true; // benchmarking 2001:2::/48
    if (second >= 0x0010 && second <= 0x002f) return true; // ORCHID 2001:10::/28, ORCHIDv2 2001:20::/28
  }
  if (at(0) === 0x3fff && at(1) <= 0x0fff) return true; // documentation 3fff::/20
  return false;
}

function v4ToInt(text: string): number {
  return text.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** Eight 16-bit words of a valid IPv6 text (zone id dropped, dotted tail converted). */
function v6Words(text: string): number[] {
  let t = text.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (dotted) {
    const n = v4ToInt(dotted[1]!);
    t = `${t.slice(0, -dotted[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = t.split('::') as [string, string | undefined];
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((h) => parseInt(h, 16));
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
