import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../runtime/index.ts';
import { deploy, run, testSandbox } from '../integration/runtime/harness.ts';

// Attack class (with 02-deep-nesting): one event that fails to be handled must not take the
// engine down. Events from an executor (table changes) are handled in an IPC callback, where
// an exception used to be uncaught and end the main process. Now it loses that event only.
describe('an executor event whose handling throws', () => {
  let sandbox: SupervisedSandbox;
  const handled: string[] = [];
  let failNext = true;
  const errors: string[] = [];

  beforeAll(async () => {
    sandbox = testSandbox({
      onHostEvent: (_kind, payload) => {
        const { jobId } = payload as { jobId: string };
        if (failNext) {
          failNext = false;
          throw new TypeError(`cannot handle the event of ${jobId}`);
        }
        handled.push(jobId);
      },
      logger: {
        info: () => {},
        warn: () => {},
        error: (_obj: object, msg: string) => void errors.push(msg),
      },
    });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('is logged and lost alone; the process and the next events carry on', async () => {
    const fn = await deploy(
      'evented',
      'exports.main = async () => new BaaS.TableObject("calls").count()',
    );
    expect((await run(sandbox, fn, null, { jobId: 'job-1' })).status).toBe('fulfilled');
    await expect.poll(() => errors).toContain('host event not handled');
    expect((await run(sandbox, fn, null, { jobId: 'job-2' })).status).toBe('fulfilled');
    await expect.poll(() => handled).toEqual(['job-2']);
  });
});
