/**
 * What every spec gets: the real backend (built app, in this worker process) serving the
 * built dashboard, two embedded FTP servers on their own loopback addresses registered as
 * sites "alpha" and "beta", and helpers to reach the API and the servers' disks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { buildApp, type App } from '../server/src/app.js';
import { readConfig } from '../server/src/config.js';
import { startFtpServer, type EmbeddedFtpServer } from '../server/src/demo/ftp-server/server.js';

export const PASSWORD = 'e2e password';
const TOKEN = 'e2e-token';

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
  addServer(name: string, options: { address: string; allowFxp?: boolean; bytesPerSecond?: number; password?: string }): Promise<FtpFixture>;
}

const USERS = [{ user: 'e2e', password: 'ftp-secret' }];

async function ftpServer(name: string, address: string, options: { allowFxp?: boolean; bytesPerSecond?: number } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `pasv-e2e-${name}-`));
  const server = await startFtpServer({ host: address, root, users: USERS, ...options });
  return { root, server };
}

export const test = base.extend<{ signedIn: Page }, { pasv: Pasv }>({
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
      const api = async <T,>(method: string, route: string, body?: unknown): Promise<T> => {
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
          user: USERS[0]!.user,
          password: options.password ?? USERS[0]!.password,
        });
        const fixture = { name, id: site.id, root, server };
        started.push(fixture);
        return fixture;
      };
      const alpha = await addServer('alpha', { address: '127.0.0.2' });
      const beta = await addServer('beta', { address: '127.0.0.3' });
      await use({ url, app, alpha, beta, api, addServer });
      await app.close();
      for (const { server, root } of started) {
        await server.close();
        fs.rmSync(root, { recursive: true, force: true });
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],

  signedIn: async ({ page, pasv }, use) => {
    await page.goto(pasv.url);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await use(page);
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
