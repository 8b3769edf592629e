/**
 * The top self-time items of a V8 CPU profile (`--cpu-prof`), by function and by where the
 * code lives (a package of node_modules, a folder of this repo, Node's internals), as shares
 * of the profile's wall time. Run:
 * `npm exec -- node bench/lib/profile-top.ts FILE.cpuprofile [N]` (N rows each, default 15).
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/** Where a frame's code lives: `pkg:<name>`, a repo folder (`engine/wechat`), or `node:…`. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const repo = /\/(engine|runtime|bench|functions)\/([^/]+)\//.exec(url);
  if (repo) return `${repo[1]}/${repo[2]}`;
  return url.replace(/^file:\/\//, '');
}

/** A frame's file as read in a listing: from its package, or from the repo's top folder. */
function shortFile(url: string): string {
  const inPackage = url.lastIndexOf('node_modules/');
  if (inPackage >= 0) return url.slice(inPackage + 'node_modules/'.length);
  const inRepo = /\/((?:engine|runtime|bench|functions)\/.*)$/.exec(url);
  return inRepo ? inRepo[1]! : url.replace(/^file:\/\//, '');
}

/** Self time per function and per place, largest first. */
export function selfTimes(profile: CpuProfile): { functions: SelfTime[]; places: SelfTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const place = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node || us <= 0) return;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = shortFile(url);
    const name = url
      ? `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`
      : functionName || '(anonymous)';
    fn.set(name, (fn.get(name) ?? 0) + us);
    const where = placeOf(url, functionName);
    place.set(where, (place.get(where) ?? 0) + us);
  });
  const list = (m: Map<string, number>) =>
    [...m]
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }))
      .sort((a, b) => b.ms - a.ms);
  return { functions: list(fn), places: list(place) };
}

if (import.meta.main) {
  const [file, rows = '15'] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/lib/profile-top.ts FILE.cpuprofile [N]');
  const { functions, places } = selfTimes(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile);
  const line = (t: SelfTime) =>
    `  ${(t.share * 100).toFixed(1).padStart(5)} %  ${t.ms.toFixed(0).padStart(7)} ms  ${t.name}`;
  process.stdout.write(
    [
      `self time by function (${file}):`,
      ...functions.slice(0, Number(rows)).map(line),
      'self time by place:',
      ...places.slice(0, Number(rows)).map(line),
      '',
    ].join('\n'),
  );
}
