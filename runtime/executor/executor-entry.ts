/**
 * The first module of an executor process: it lowers the process's CPU priority (the nice
 * value is its only argument) before anything else loads, then starts the executor. Loading
 * the executor (Node compiling the runtime's TypeScript, isolated-vm, the HostOps module)
 * costs a few hundred ms of CPU; spent at the engine's priority, a quarantine executor
 * spawned under load delayed the engine's answers by up to ≈ 350 ms (measured).
 */
import { lowerOwnPriority } from './priority.ts';

lowerOwnPriority(Number(process.argv[2] ?? 0));
await import('./child-main.ts');
