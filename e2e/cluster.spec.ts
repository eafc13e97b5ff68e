/**
 * A cluster as a person meets it: two web nodes behind a load balancer and a worker, on a
 * real PostgreSQL. The dashboard is signed in through the balancer; its web node stops under
 * it mid-copy; the page reconnects (to the other node, through the balancer) and follows the
 * copy to done.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { buildApp, type App } from '../server/src/app.js';
import { readConfig } from '../server/src/config.js';
import { startFtpServer } from '../server/src/demo/ftp-server/server.js';
import { postgresUnavailable, startPostgres } from '../server/src/demo/postgres.js';
import { startBalancer } from '../server/test/balancer.js';
import { Dashboard } from './pages/dashboard.js';
import { SignInPage } from './pages/sign-in.js';
import { sha256 } from './disk.js';

const PASSWORD = 'cluster e2e password';
const TOKEN = 'cluster-e2e-token';
const USERS = [{ user: 'e2e', password: 'ftp-secret' }];

test.skip(!process.env.CI && postgresUnavailable() !== null, `no PostgreSQL here: ${postgresUnavailable()}`);

test('the dashboard follows a copy to done when its web node stops, through the other one', async ({ page }) => {
  test.setTimeout(120_000);
  const cleanup: (() => Promise<unknown> | void)[] = [];
  try {
    const postgres = await startPostgres();
    cleanup.push(() => postgres.stop());
    const balancer = await startBalancer();
    cleanup.push(() => balancer.close());
    const env = {
      PASV_DATABASE_URL: postgres.url,
      PASV_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
      PASV_PASSWORD: PASSWORD,
      PASV_API_TOKEN: TOKEN,
      PASV_WEB_DIR: path.resolve('dist/web'),
      PASV_ALLOWED_HOSTS: balancer.host,
      PASV_LOG_LEVEL: 'warn',
      PASV_HOST: '127.0.0.1',
      PASV_PORT: '0',
    };
    const node = async (role: 'web' | 'worker'): Promise<{ app: App; url: string }> => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `pasv-e2e-${role}-`));
      cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const app = await buildApp(readConfig([], { ...env, PASV_DATA_DIR: dataDir, PASV_ROLE: role }), { logger: false });
      cleanup.push(() => app.close());
      if (role === 'worker') {
        await app.ready();
        return { app, url: '' };
      }
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
    };
    const web1 = await node('web');
    const web2 = await node('web');
    balancer.backends.push(web1.url, web2.url);
    await node('worker');

    const root = (name: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pasv-e2e-${name}-`));
      cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      return dir;
    };
    const [from, to] = [root('east'), root('west')];
    fs.mkdirSync(path.join(from, 'batch'));
    for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(from, 'batch', `part${i}.bin`), crypto.randomBytes(300_000));
    const east = await startFtpServer({ host: '127.0.0.2', root: from, users: USERS, bytesPerSecond: 400_000 });
    cleanup.push(() => east.close());
    const west = await startFtpServer({ host: '127.0.0.3', root: to, users: USERS });
    cleanup.push(() => west.close());
    const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
      const response = await fetch(web1.url + route, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.ok, await response.clone().text()).toBe(true);
      return (await response.json()) as T;
    };
    const site = async (name: string, server: typeof east) =>
      (await api<{ id: string }>('POST', '/api/sites', { name, host: server.host, port: server.port, ...USERS[0], tls: 'none' })).id;
    const [eastId, westId] = [await site('east', east), await site('west', west)];

    const url = `http://${balancer.host}/`;
    let feeds = 0;
    page.on('websocket', () => feeds++);
    const signIn = new SignInPage(page, url);
    await signIn.open();
    await signIn.signIn(PASSWORD);
    const dashboard = new Dashboard(page, url);
    await expect(dashboard.connection).toHaveText('● live');
    await api('POST', '/api/transfers', { source: { siteId: eastId, path: '/batch' }, destination: { siteId: westId, dir: '/' } });
    await expect(dashboard.queue.state('batch', 'running')).toBeVisible();

    // The node the page talks to stops: the page says so, reconnects through the balancer to
    // the other node, and sees the copy through to the end.
    expect(feeds).toBe(1);
    await web1.app.close();
    await expect.poll(() => feeds).toBeGreaterThanOrEqual(2);
    await expect(dashboard.connection).toHaveText('● live');
    await expect(dashboard.queue.state('batch', 'done')).toBeVisible({ timeout: 60_000 });
    await expect(dashboard.queue.row('batch')).toContainText('east:/batch');
    await expect(dashboard.queue.row('batch')).toContainText('→ west:/');
    for (let i = 0; i < 6; i++) {
      expect(sha256(path.join(to, 'batch', `part${i}.bin`))).toBe(sha256(path.join(from, 'batch', `part${i}.bin`)));
    }
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
});
