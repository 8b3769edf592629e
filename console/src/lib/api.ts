/**
 * Calls to the admin API from the console. The session cookie (HttpOnly) authenticates;
 * the CSRF value the session gave is sent on every call, kept in memory only.
 */
import { signal } from '@preact/signals';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Whether a session is open (null: not known yet, while the first check runs). */
export const signedIn = signal<boolean | null>(null);
let csrf = '';

async function call<T>(
  url: string,
  method: string,
  body?: unknown,
  raw = false,
  extra: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { 'x-cloudfn-csrf': csrf, ...extra };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['content-type'] ??= typeof body === 'string' ? 'text/plain' : 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) {
    let error: { code?: string; message?: string } & Record<string, unknown> = {};
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
    } catch {
      error = { message: text };
    }
    const { code, message, ...details } = error;
    if (response.status === 401 && url.startsWith('/api/')) signedIn.value = false;
    throw new ApiError(response.status, code ?? 'E_HTTP', message ?? response.statusText, details);
  }
  if (raw) return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The admin API under /api/v1. */
export const api = {
  get: <T>(path: string) => call<T>(`/api/v1${path}`, 'GET'),
  text: (path: string) => call<string>(`/api/v1${path}`, 'GET', undefined, true),
  post: <T>(path: string, body?: unknown) => call<T>(`/api/v1${path}`, 'POST', body ?? {}),
  put: <T>(path: string, body: unknown, headers: Record<string, string> = {}) =>
    call<T>(`/api/v1${path}`, 'PUT', body, false, headers),
  patch: <T>(path: string, body: unknown) => call<T>(`/api/v1${path}`, 'PATCH', body),
  del: <T>(path: string) => call<T>(`/api/v1${path}`, 'DELETE'),
};

/** Any URL of the engine (the WeChat receiver for the push simulator). */
export const rawPost = (url: string, body: string, contentType: string) =>
  call<string>(url, 'POST', body, true, { 'content-type': contentType });

interface SessionAnswer {
  signedIn: boolean;
  csrf?: string;
}

export async function checkSession(): Promise<void> {
  try {
    const answer = await call<SessionAnswer>('/console/session', 'GET');
    csrf = answer.csrf ?? '';
    signedIn.value = answer.signedIn;
  } catch {
    signedIn.value = false;
  }
}

export async function signIn(token: string): Promise<void> {
  csrf = (await call<SessionAnswer>('/console/session', 'POST', { token })).csrf ?? '';
  signedIn.value = true;
}

export async function signOut(): Promise<void> {
  await call('/console/session', 'DELETE').catch(() => undefined);
  csrf = '';
  signedIn.value = false;
}

/** The CSRF value, for EventSource-less downloads that cannot set headers. */
export const csrfValue = () => csrf;

export interface Page<T> {
  meta: { limit: number; offset: number; total_count: number };
  objects: T[];
}
