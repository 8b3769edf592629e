import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../../helpers/engine.ts';
import { createTable, deploy, invoke, runOk, onEachBackend, startEngineOn } from './helpers.ts';

// MinCloud's pages about functions themselves, on a real engine: error.md (HError),
// cloud-function.md (invoke, invokeFunction), server-date.md, start/nodejs-event-loop.md.
onEachBackend((backend) => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await startEngineOn(backend);
    await createTable(t, 'product', [{ name: 'name', type: 'string' }]);
    // cloud-function.md's helloWorld, written with a callback as on the page.
    await deploy(
      t,
      'helloWorld',
      `exports.main = function helloWorld(event, callback) {
      console.log(event)
      callback(null, \`hello \${event.data.name}\`)
    }`,
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('error.md: errors are HError', () => {
    it('a bad SDK argument throws synchronously with code 605', async () => {
      const res = await runOk(
        t,
        'sync_error',
        `exports.main = async () => {
        let product = new BaaS.TableObject('product')
        try {
          product.setQuery(123)
        } catch (err) {
          return { code: err.code, name: err.name, message: typeof err.message }
        }
      }`,
      );
      expect(res).toEqual({ code: 605, name: 'HError', message: 'string' });
    });

    it('a refused call rejects with the HTTP-like integer; the E_ code is err.reason and in the job', async () => {
      const res = await runOk(
        t,
        'async_error',
        `exports.main = async () => {
        const codes = []
        await new BaaS.TableObject('product').get('0123456789abcdef01234567').then(null, (err) => {
          if (err.code === 404) codes.push([err.code, err.reason])
        })
        await new BaaS.TableObject('nope').find().catch((err) => codes.push([err.code, err.reason]))
        await new BaaS.TableObject('product').create().set({ nope: 1 }).save()
          .catch((err) => codes.push([err.code, err.reason, err.details.fields]))
        return codes
      }`,
      );
      expect(res).toEqual([
        [404, 'E_TABLE_RECORD_NOT_FOUND'],
        [404, 'E_TABLE_NOT_FOUND'],
        [400, 'E_TABLE_UNKNOWN_FIELD', ['nope']],
      ]);
      // Uncaught, the job's error keeps cloudfn's stable code.
      await deploy(t, 'uncaught', `exports.main = async () => new BaaS.TableObject('nope').find()`);
      const out = await invoke(t, 'uncaught');
      expect(out.code).toBe(1);
      expect(out.error).toMatchObject({
        name: 'HError',
        code: 'E_TABLE_NOT_FOUND',
        status: 'execution_failed',
      });
    });
  });

  describe('cloud-function.md', () => {
    it('BaaS.invoke resolves {code, data, error}', async () => {
      const res = await runOk(
        t,
        'call_hello',
        `exports.main = function (event, callback) {
        BaaS.invoke('helloWorld', {name: 'allen'}).then(res => {
          let result = res
          if (result.code === 0) {
            callback(null, result)
          } else {
            callback(result.error.message)
          }
        }, err => {
          callback(err)
        })
      }`,
      );
      expect(res).toEqual({ error: {}, code: 0, data: 'hello allen' });
    });

    it('the deprecated BaaS.invokeFunction resolves the response with the result in data', async () => {
      const res = await runOk(
        t,
        'call_hello_old',
        `exports.main = function (event, callback) {
        BaaS.invokeFunction('helloWorld', {name: 'allen'}).then(res => {
          let result = res.data
          if (result.code === 0) {
            callback(null, { status: res.status, result })
          } else {
            callback(result.error.message)
          }
        }, err => {
          callback(err)
        })
      }`,
      );
      expect(res).toEqual({ status: 200, result: { error: {}, code: 0, data: 'hello allen' } });
    });
  });

  describe('server-date.md', () => {
    it('BaaS.getServerDate() resolves {status: 200, data: {time}} with an ISO-8601 time and zone', async () => {
      const before = Date.now();
      const res = await runOk(
        t,
        'server_date',
        `exports.main = async () => {
        const res = await BaaS.getServerDate()
        console.log(res.data.time)
        return res
      }`,
      );
      expect(res.status).toBe(200);
      expect(res.data.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(res.data.time)).toBeGreaterThanOrEqual(before - 1000);
    });
  });

  describe('start/nodejs-event-loop.md', () => {
    it('after callback, the run waits for its pending timer, whose log lines follow', async () => {
      await deploy(
        t,
        'event_loop',
        `exports.main = function(event, callback) {
        console.log("before callback");
        setTimeout(
          function(){
            console.log(new Date);
            console.log("timeout before callback");
          },
          500
        );
        callback(null, "success callback");
        console.log("after callback");
      };`,
      );
      const out = await invoke(t, 'event_loop');
      expect(out).toMatchObject({ code: 0, data: 'success callback' });
      const lines = out.log.map((l) => l.message);
      expect(lines[0]).toBe('before callback');
      expect(lines[1]).toBe('after callback');
      expect(lines[3]).toBe('timeout before callback');
    });
  });
});
