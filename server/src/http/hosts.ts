/**
 * Which Host and Origin pasv answers. DNS rebinding: a page on evil.example whose name is
 * made to resolve to 127.0.0.1 reaches pasv from the victim's browser with
 * `Host: evil.example`, and the browser counts pasv as that page's own origin, so no Origin
 * check sees it. Only the names pasv is known by are answered, on every route.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.js';
import { HttpError } from '../errors.js';

type HostConfig = Pick<AppConfig, 'host' | 'port' | 'allowedHosts'>;

/** The listen address and the loopback names on the port pasv listens on, and the configured extras. */
export function allowedHosts(config: HostConfig, port: number): Set<string> {
  const listen = config.host.includes(':') ? `[${config.host}]` : config.host;
  const names = [listen, 'localhost', '127.0.0.1', '[::1]'].map((name) => name.toLowerCase());
  const hosts = new Set(names.map((name) => `${name}:${port}`));
  // A browser leaves the default port out of Host.
  if (port === 80) for (const name of names) hosts.add(name);
  for (const extra of config.allowedHosts) hosts.add(extra.toLowerCase());
  return hosts;
}

/**
 * The onRequest hook of the whole app (API, static files, WebSocket upgrade). The port is
 * the one actually bound, which differs from the configured one when that is 0.
 */
export function hostGuard(config: HostConfig) {
  let cached: { port: number; hosts: Set<string> } | undefined;
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const host = request.headers.host;
    // Every browser sends Host; a client without one is a script, which rebinding cannot drive.
    if (host === undefined) return;
    const address = request.server.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    if (cached?.port !== port) cached = { port, hosts: allowedHosts(config, port) };
    if (!cached.hosts.has(host.toLowerCase())) {
      throw new HttpError(
        403,
        'forbidden_host',
        `pasv does not answer to the host name ${JSON.stringify(host)}; add it to PASV_ALLOWED_HOSTS`,
      );
    }
  };
}

/**
 * The page's own origin (scheme and host) or one configured; scripts send no Origin at all.
 * pasv speaks http, or https behind a proxy when the cookie is marked Secure.
 */
export function allowedOrigin(
  origin: string,
  host: string | undefined,
  config: Pick<AppConfig, 'allowedOrigins' | 'secureCookie'>,
): boolean {
  if (config.allowedOrigins.includes(origin)) return true;
  if (host === undefined) return false;
  const scheme = config.secureCookie ? 'https:' : 'http:';
  try {
    const url = new URL(origin);
    return url.protocol === scheme && url.host === new URL(`${scheme}//${host}`).host;
  } catch {
    return false;
  }
}
