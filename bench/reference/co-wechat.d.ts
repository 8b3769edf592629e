/** The part of co-wechat 2.4.0 (no typings of its own) the bench's DIY server uses. */
declare module 'co-wechat' {
  import type { Context, Middleware } from 'koa';

  interface Wechat {
    /**
     * Verifies, decrypts (safe mode) and parses a push with xml2js, then calls `handle` with
     * the message (every value a string); its answer becomes the reply, '' answers nothing.
     */
    middleware(handle: (message: Record<string, string>, ctx: Context) => unknown): Middleware;
  }

  function wechat(
    config: string | { token: string; appid?: string; encodingAESKey?: string },
    isDebug?: boolean,
  ): Wechat;
  export = wechat;
}
