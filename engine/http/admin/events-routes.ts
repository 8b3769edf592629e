import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import { z } from 'zod';
import { route } from '../api-route.ts';
import type { Activity, ActivityEvent } from './activity.ts';

const HEARTBEAT_MS = 15_000;

/**
 * GET /events: the live log as server-sent events (`event: activity`, JSON data), each push
 * and each finished run as it happens. Nothing is replayed on connect.
 */
export function registerEventsRoutes(router: Router, deps: { activity: Activity }): void {
  route(
    router,
    {
      method: 'get',
      path: '/events',
      tag: 'engine',
      summary: 'The live log: server-sent events, one per push and per finished run.',
      answers: {
        200: {
          description: 'text/event-stream of `event: activity` JSON lines.',
          media: { 'text/event-stream': z.string() },
        },
      },
    },
    (ctx) => {
      const stream = new PassThrough();
      ctx.req.socket.setTimeout(0);
      ctx.req.socket.setNoDelay(true);
      ctx.set('Content-Type', 'text/event-stream; charset=utf-8');
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
      ctx.status = 200;
      ctx.body = stream;
      stream.write('retry: 3000\n\n');
      const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        stream.end();
      };
      const unsubscribe = deps.activity.subscribe((event: ActivityEvent) => {
        if (event.seq === -1) return end();
        stream.write(`id: ${event.seq}\nevent: activity\ndata: ${JSON.stringify(event)}\n\n`);
      });
      ctx.req.once('close', end);
    },
  );
}
