import type { Connection } from './connection.ts';
import { CliError, EngineRefusedError, EXIT, unreachableError } from './errors.ts';
import { hintFor } from './hints.ts';

export type Query = Record<string, string | number | boolean | undefined>;

export interface ListAnswer<T> {
  meta: { limit: number; offset: number; total_count: number };
  objects: T[];
}

/**
 * The admin API over HTTP (SPEC §2), for the CLI: JSON in and out, every refusal turned into
 * an EngineRefusedError (exit 1) and every failure to connect into exit 3.
 */
export class AdminClient {
  readonly connection: Connection;

  constructor(connection: Connection) {
    this.connection = connection;
  }

  /** The URL of an admin route (`/functions` → `<url>/api/v1/functions`). */
  apiUrl(route: string, query: Query = {}): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) search.set(key, String(value));
    const qs = search.toString();
    return `${this.connection.url}/api/v1${route}${qs ? `?${qs}` : ''}`;
  }

  /** Calls an admin route and parses its JSON answer; 204 resolves undefined. */
  async call<T = unknown>(
    method: string,
    route: string,
    options: { body?: unknown; query?: Query } = {},
  ): Promise<T> {
    const response = await this.send(this.apiUrl(route, options.query), {
      method,
      headers: this.headers(options.body !== undefined),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    if (response.status === 204) return undefined as T;
    return (await readJson(response, this.connection)) as T;
  }

  /** Calls an admin route and hands back the raw response (for streamed exports). */
  async stream(route: string, query: Query = {}): Promise<Response> {
    const response = await this.send(this.apiUrl(route, query), {
      method: 'GET',
      headers: this.headers(false),
    });
    if (!response.ok) await readJson(response, this.connection);
    return response;
  }

  /** A public route of the engine (the WeChat receiver): answers are returned, never thrown. */
  async public(route: string, init: RequestInit): Promise<Response> {
    return this.send(`${this.connection.url}${route}`, init);
  }

  private headers(json: boolean): Record<string, string> {
    return {
      accept: 'application/json',
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(this.connection.token ? { authorization: `Bearer ${this.connection.token}` } : {}),
    };
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw unreachableError(
        this.connection.url,
        cause?.code ?? cause?.message ?? (err as Error).message,
      );
    }
  }
}

/** Reads a JSON answer; a non-2xx one becomes EngineRefusedError, a non-JSON one exit 3. */
async function readJson(response: Response, connection: Connection): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // The engine always answers JSON: HTML or text means another server (or a proxy whose
    // engine is down, e.g. 502) answered.
    throw unreachableError(
      connection.url,
      `HTTP ${response.status} with a ${response.headers.get('content-type') ?? 'non-JSON'} answer; is this a cloudfn engine?`,
      'E_CLI_NOT_AN_ENGINE',
    );
  }
  if (response.ok) return body;
  const error = (body as { error?: unknown } | undefined)?.error;
  if (error === null || typeof error !== 'object') {
    throw new CliError(
      'E_CLI_NOT_AN_ENGINE',
      `${connection.url} answered HTTP ${response.status} without a cloudfn error.`,
      {
        exitCode: EXIT.unreachable,
        hint: "Check --url / CLOUDFN_URL: it should be the engine's base address, e.g. http://127.0.0.1:3000.",
      },
    );
  }
  const detail = error as Record<string, unknown>;
  throw new EngineRefusedError(response.status, detail, hintFor(detail, connection));
}
