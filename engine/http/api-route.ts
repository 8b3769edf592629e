import type Router from '@koa/router';
import type { RouterMiddleware } from '@koa/router';
import type { z } from 'zod';

/** The groups of the OpenAPI document, in the order it lists them. */
export const API_TAGS = [
  'engine',
  'wechat',
  'accounts',
  'functions',
  'tables',
  'users',
  'triggers',
  'inbox',
] as const;

export type ApiTag = (typeof API_TAGS)[number];
export type ApiMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** One success answer: a JSON body described by `schema`, or bodies of other media types. */
export interface ApiAnswer {
  description: string;
  schema?: z.ZodType;
  /** Media type → schema, for answers that are not (only) JSON: XML, CSV, event streams. */
  media?: Record<string, z.ZodType>;
}

/**
 * What a route takes and answers, declared where the route is registered: the OpenAPI
 * document (engine/http/openapi.ts) is built from these, with the very zod schemas the
 * handlers validate with, so the two cannot drift apart.
 */
export interface ApiRouteSpec {
  method: ApiMethod;
  /** The koa path as registered (`/functions/:name`), below the router's prefix. */
  path: string;
  tag: ApiTag;
  summary: string;
  description?: string;
  /** Path parameters whose meaning the shared descriptions (openapi.ts) do not say. */
  params?: Record<string, string>;
  /** The query parameters, one property each. */
  query?: z.ZodObject;
  /** The JSON request body. */
  body?: z.ZodType;
  /** Request bodies of other media types (the receiver's XML). */
  bodyMedia?: Record<string, z.ZodType>;
  /** Success answers by status. */
  answers: Record<number, ApiAnswer>;
  /** Refusals worth naming (status → when); any other error is the generic `{error}` answer. */
  refusals?: Record<number, string>;
  /** Served without the admin token (the receivers, /healthz). */
  public?: boolean;
}

const specsByRouter = new WeakMap<Router, ApiRouteSpec[]>();

/** Registers `handlers` for the spec's method and path, and keeps the spec for the document. */
export function route(router: Router, spec: ApiRouteSpec, ...handlers: RouterMiddleware[]): void {
  router[spec.method](spec.path, ...handlers);
  const specs = specsByRouter.get(router) ?? [];
  specs.push(spec);
  specsByRouter.set(router, specs);
}

/** The specs of the routes registered on `router` through `route`, in registration order. */
export function routeSpecsOf(router: Router): readonly ApiRouteSpec[] {
  return specsByRouter.get(router) ?? [];
}
