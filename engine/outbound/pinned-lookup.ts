import { isIP, type LookupFunction } from 'node:net';

/**
 * A `lookup` for net.connect that answers with the checked addresses. Node asks with
 * `all: true` when it races IPv4 and IPv6 (autoSelectFamily), else for one address,
 * possibly of a given family.
 */
export function pinnedLookup(addresses: string[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = addresses
      .map((address) => ({ address, family: isIP(address) }))
      .filter((a) => a.family !== 0 && (!family || a.family === family));
    if (usable.length === 0) {
      const err = Object.assign(
        new Error(`no checked address of ${hostname} fits the connection`),
        { code: 'ENOTFOUND' },
      );
      callback(err, '', 0);
      return;
    }
    if (options.all) (callback as unknown as (e: null, all: typeof usable) => void)(null, usable);
    else callback(null, usable[0]!.address, usable[0]!.family);
  };
}
