/**
 * The functions runtime: bundling uploads and running them in supervised, isolated,
 * limited sandboxes. The engine uses only this face and the ports in sandbox.ts / host-ops.ts.
 */
import {
  createSupervisedSandbox,
  type SandboxOptions,
  type SupervisedSandbox,
} from './supervisor/supervised-sandbox.ts';

export { bundleFunction, type BundleInput, type BundleOutput } from './bundle/bundle.ts';
export { FunctionBuildError, RUNTIME_CODES, RuntimeError } from './errors.ts';
export { DEFAULT_LIMITS, type SandboxLimits } from './limits.ts';
export type { RuntimeLogger } from './supervisor/executor-process.ts';
export type { SandboxOptions, SupervisedSandbox } from './supervisor/supervised-sandbox.ts';
export type * from './sandbox.ts';
export type * from './host-ops.ts';

/** Starts the executor processes and returns the Sandbox that runs functions in them. */
export function createSandbox(options: SandboxOptions = {}): SupervisedSandbox {
  return createSupervisedSandbox(options);
}
