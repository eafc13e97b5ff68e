/**
 * The one way the web app talks HTTP to the server. Every request carries
 * `X-Requested-With: pasv` because the server refuses non-GET requests without it (CSRF),
 * and every failure becomes an ApiError with the server's own code and message.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called whenever the server answers 401: the session is gone, show the sign-in page. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

function isErrorBody(value: unknown): value is { error: { code: string; message?: string } } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

const statusMessages: Record<number, string> = {
  400: 'The server rejected the request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  429: 'Too many requests — wait a moment',
  500: 'The server had an internal error',
  502: 'Bad gateway',
  503: 'The server is unavailable',
};

async function toApiError(response: Response): Promise<ApiError> {
  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    // Not JSON (a proxy page, an empty body): fall back to the status line.
  }
  if (isErrorBody(payload)) {
    const { code, message } = payload.error;
    return new ApiError(response.status, code, message || statusMessages[response.status] || code);
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    statusMessages[response.status] ?? (response.statusText || `HTTP ${response.status}`),
  );
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { 'X-Requested-With': 'pasv', Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network_error', 'Cannot reach the pasv server');
  }

  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401) for (const listener of unauthorizedListeners) listener();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, signal ? { signal } : {}),
  post: <T = void>(path: string, body?: unknown) => request<T>('POST', path, body === undefined ? {} : { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

/** The message in words ("550 Permission denied", "Wrong password"), never a code or a stack. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The server's code for a details line ("bad_password"); null when there is none worth showing. */
export function errorCode(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code.startsWith('http_')) return null;
  return error.code;
}

/** Encode a path segment of the API URL (site ids, transfer ids). */
export const seg = (value: string) => encodeURIComponent(value);
