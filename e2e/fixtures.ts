/**
 * What every spec gets: the real backend (built app, in this worker process) serving the
 * built dashboard, two embedded FTP servers on their own loopback addresses registered as
 * sites "alpha" and "beta", and helpers to reach the API and the servers' disks. Specs take
 * a ready `dashboard` page object; servers with special behaviour (throttled, refusing FXP)
 * are worker fixtures started only by the specs that ask for them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page, type WebSocketRoute } from '@playwright/test';
import { buildApp, type App } from '../server/src/app.js';
import { readConfig } from '../server/src/config.js';
import { startFtpServer, type EmbeddedFtpServer } from '../server/src/demo/ftp-server/server.js';
import { Dashboard } from './pages/dashboard.js';

export const PASSWORD = 'e2e password';
const TOKEN = 'e2e-token';
const SESSION_COOKIE = 'pasv_session';

export interface FtpFixture {
  name: string;
  id: string;
  root: string;
  server: EmbeddedFtpServer;
}

export interface Pasv {
  url: string;
  app: App;
  alpha: FtpFixture;
  beta: FtpFixture;
  /** Call the API as a script would (bearer token). */
  api<T = unknown>(method: string, url: string, body?: unknown): Promise<T>;
  /** Start another FTP server and register it as a site. */
  addServer(
    name: string,
    options: { address: string; allowFxp?: boolean; bytesPerSecond?: number; password?: string },
  ): Promise<FtpFixture>;
}

/** Two servers that refuse FXP (like vsftpd without *_promiscuous), on distinct addresses. */
export interface RefusingPair {
  source: FtpFixture;
  destination: FtpFixture;
}

export const FTP_USER = 'e2e';
export const FTP_PASSWORD = 'ftp-secret';
const USERS = [{ user: FTP_USER, password: FTP_PASSWORD }];

/** Slow enough that a few MB take seconds: progress and cancel can be seen. */
export const THROTTLE_BYTES_PER_SECOND = 1_000_000;

async function ftpServer(name: string, address: string, options: { allowFxp?: boolean; bytesPerSecond?: number } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `pasv-e2e-${name}-`));
  const server = await startFtpServer({ host: address, root, users: USERS, ...options });
  return { root, server };
}

interface WorkerFixtures {
  pasv: Pasv;
  /** A signed-in session cookie, made once per worker: the sign-in route is rate limited. */
  sessionCookie: string;
  /** A site whose server sends data at THROTTLE_BYTES_PER_SECOND. */
  throttled: FtpFixture;
  refusingPair: RefusingPair;
}

/**
 * The page's live feed runs through this gate. Shut, every reconnect attempt is turned away
 * as a server that is still down would, so "what changed while the socket was away" is
 * deterministic; open, sockets go straight to the real server.
 */
export class SocketGate {
  private shut = false;

  async install(page: Page): Promise<void> {
    await page.routeWebSocket(/\/api\/ws$/, (socket: WebSocketRoute) => {
      if (this.shut) void socket.close({ code: 1013, reason: 'try again later' });
      else socket.connectToServer();
    });
  }

  close(): void {
    this.shut = true;
  }

  open(): void {
    this.shut = false;
  }
}

interface TestFixtures {
  /** The dashboard page object, signed in, not yet opened: set up data, then `open()`. */
  dashboard: Dashboard;
  /** A page showing the dashboard, signed in and live. */
  signedIn: Page;
  /** Installed before the dashboard opens: lets a spec keep the live feed away. */
  socketGate: SocketGate;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  pasv: [
    async ({}, use) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-e2e-data-'));
      const config = readConfig([], {
        PASV_HOST: '127.0.0.1',
        PASV_PORT: '0',
        PASV_DATA_DIR: dataDir,
        PASV_PASSWORD: PASSWORD,
        PASV_API_TOKEN: TOKEN,
        PASV_WEB_DIR: path.resolve('dist/web'),
        PASV_LOG_LEVEL: 'warn',
      });
      if (!fs.existsSync(path.join(config.webDir, 'index.html'))) {
        throw new Error('dist/web is missing: run `npm run build` before the e2e suite');
      }
      const app = await buildApp(config, { logger: false });
      await app.listen({ host: config.host, port: 0 });
      const address = app.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
        const response = await fetch(url + route, {
          method,
          headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
        return (text ? JSON.parse(text) : undefined) as T;
      };
      const started: FtpFixture[] = [];
      const addServer: Pasv['addServer'] = async (name, options) => {
        const { root, server } = await ftpServer(name, options.address, options);
        const site = await api<{ id: string }>('POST', '/api/sites', {
          name,
          host: server.host,
          port: server.port,
          user: FTP_USER,
          password: options.password ?? FTP_PASSWORD,
        });
        const fixture = { name, id: site.id, root, server };
        started.push(fixture);
        return fixture;
      };
      const alpha = await addServer('alpha', { address: '127.0.0.2' });
      const beta = await addServer('beta', { address: '127.0.0.3' });
      await use({ url, app, alpha, beta, api, addServer });
      await app.close();
      await Promise.all(started.map(({ server }) => server.close()));
      for (const { root } of started) fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],

  sessionCookie: [
    async ({ pasv }, use) => {
      const response = await fetch(`${pasv.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'pasv' },
        body: JSON.stringify({ password: PASSWORD }),
      });
      const cookie = response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
      if (response.status !== 204 || !cookie) throw new Error(`sign-in for the suite failed: ${response.status}`);
      await use(cookie.slice(SESSION_COOKIE.length + 1).split(';')[0]!);
    },
    { scope: 'worker' },
  ],

  throttled: [
    async ({ pasv }, use) => {
      await use(await pasv.addServer('slow', { address: '127.0.0.6', bytesPerSecond: THROTTLE_BYTES_PER_SECOND }));
    },
    { scope: 'worker' },
  ],

  refusingPair: [
    async ({ pasv }, use) => {
      const source = await pasv.addServer('strict-a', { address: '127.0.0.4', allowFxp: false });
      const destination = await pasv.addServer('strict-b', { address: '127.0.0.5', allowFxp: false });
      await use({ source, destination });
    },
    { scope: 'worker' },
  ],

  dashboard: async ({ page, pasv, sessionCookie }, use) => {
    await page
      .context()
      .addCookies([{ name: SESSION_COOKIE, value: sessionCookie, url: pasv.url, httpOnly: true, sameSite: 'Strict' }]);
    await use(new Dashboard(page, pasv.url));
  },

  socketGate: async ({ page }, use) => {
    const gate = new SocketGate();
    await gate.install(page);
    await use(gate);
  },

  signedIn: async ({ dashboard }, use) => {
    await dashboard.open();
    await use(dashboard.page);
  },
});

export { expect };

/** Put files on a fixture server's disk (relative path → content). */
export function putFiles(fixture: FtpFixture, files: Record<string, Buffer | string>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(fixture.root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/** An empty folder on a fixture server's disk (a destination to copy into). */
export function putFolder(fixture: FtpFixture, name: string): void {
  fs.mkdirSync(path.join(fixture.root, name), { recursive: true });
}

/**
 * Where a shot goes: the README's tracked copies only when asked (`npm run screenshots`
 * sets PASV_SCREENSHOTS=1), so that `npm test` checks the stories without rewriting them;
 * otherwise next to the test's other output under test-results/.
 */
export const shotPath = (name: string): string =>
  process.env.PASV_SCREENSHOTS === '1' ? path.resolve('docs/screenshots', name) : test.info().outputPath(name);

let counter = 0;
/** A folder name no other test of this worker uses, so tests sharing the servers never collide. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}
