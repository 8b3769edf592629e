import { bundleFunction, createSandbox } from '../../runtime/index.ts';
import { sampleFunction, SAMPLE_DATA } from './sample-function.ts';
const sb = createSandbox({});
await sb.ready();
const fn = { name: 'w', version: 1, code: (await bundleFunction({ source: sampleFunction('w') })).code, timeoutMs: 5000, memoryMb: 128, env: {} };
const d: number[] = [];
for (let i = 0; i < 20000; i++) { const o = await sb.invoke({ fn, event: { data: SAMPLE_DATA, eventType: 'invoke', jobId: 'j' + i } }); d.push(o.durationMs); }
d.sort((a, b) => a - b); console.log('median durationMs', d[d.length >> 1]);
await sb.close();
