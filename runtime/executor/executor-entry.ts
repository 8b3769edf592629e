/**
 * The first module of an executor process: it lowers the process's CPU priority (arguments:
 * the threads' nice value, and the quarantine's scheduling group's) before anything else
 * loads, then starts the executor. Loading
 * the executor (Node compiling the runtime's TypeScript, isolated-vm, the HostOps module)
 * costs a few hundred ms of CPU; spent at the engine's priority, a quarantine executor
 * spawned under load delayed the engine's answers by up to ≈ 350 ms (measured, when its
 * scheduling group still had the engine's weight during start-up).
 */
import { lowerOwnPriority } from './priority.ts';

const [nice, groupNice] = process.argv.slice(2).map(Number);
lowerOwnPriority(nice ?? 0, groupNice);
await import('./child-main.ts');
