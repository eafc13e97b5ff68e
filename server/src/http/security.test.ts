/**
 * What keeps a stolen or guessed session out: sign-out that outlives a restart, a login
 * limiter a flood cannot turn against the admin, scrypt off the event loop, and the Host
 * and Origin checks against DNS rebinding and cross-scheme pages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestApp } from '../../test/app.js';

let t: TestApp;
const cleanup: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  await t.close();
});

function login(app: TestApp, password: string, remoteAddress = '127.0.0.1') {
  return app.app.inject({ method: 'POST', url: '/api/session', payload: { password }, remoteAddress });
}

async function signIn(app: TestApp): Promise<string> {
  const response = await login(app, PASSWORD);
  expect(response.statusCode).toBe(204);
  return `pasv_session=${response.cookies.find((c) => c.name === 'pasv_session')!.value}`;
}

describe('sessions', () => {
  it('keeps a signed-out cookie signed out after a restart on the same data dir', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-restart-'));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const first = await startTestApp({ dataDir });
    const cookie = await signIn(first);
    const kept = await signIn(first);
    const out = await first.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, 'x-requested-with': 'pasv' },
    });
    expect(out.statusCode).toBe(204);
    await first.close();

    // Without PASV_PASSWORD the stored hash stays, so sessions that were not revoked live on.
    const second = await startTestApp({ dataDir, env: { PASV_PASSWORD: '' } });
    cleanup.push(() => second.close());
    expect((await second.app.inject({ url: '/api/sites', headers: { cookie } })).statusCode).toBe(401);
    // Only that session ended: another browser's stays signed in.
    expect((await second.app.inject({ url: '/api/sites', headers: { cookie: kept } })).statusCode).toBe(200);
  });

  it('keeps sessions across a restart with the same PASV_PASSWORD, and ends them when it changes', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-restart-'));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const first = await startTestApp({ dataDir });
    const cookie = await signIn(first);
    await first.close();

    const same = await startTestApp({ dataDir });
    expect((await same.app.inject({ url: '/api/sites', headers: { cookie } })).statusCode).toBe(200);
    await same.close();

    const changed = await startTestApp({ dataDir, env: { PASV_PASSWORD: 'another password' } });
    cleanup.push(() => changed.close());
    expect((await changed.app.inject({ url: '/api/sites', headers: { cookie } })).statusCode).toBe(401);
    expect((await login(changed, PASSWORD)).statusCode).toBe(401);
    expect((await login(changed, 'another password')).statusCode).toBe(204);
  });

  it('checks the password off the event loop: other work runs while scrypt does', async () => {
    const { auth } = t.app.services;
    const check = auth.checkPassword.bind(auth);
    let turns = 0;
    let turnsDuringCheck = -1;
    auth.checkPassword = async (password) => {
      const before = turns;
      const ok = await check(password);
      turnsDuringCheck = turns - before;
      return ok;
    };
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    try {
      expect((await login(t, PASSWORD)).statusCode).toBe(204);
    } finally {
      spinning = false;
    }
    expect(turnsDuringCheck).toBeGreaterThan(0);
  });
});

describe('login limiter', () => {
  it('throttles a flooding address with 429 and Retry-After while the admin elsewhere signs in', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 30; i++) codes.push((await login(t, `guess ${i}`, '10.9.9.9')).statusCode);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(codes.slice(10)).toEqual(Array(20).fill(429));
    const throttled = await login(t, PASSWORD, '10.9.9.9');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('rate_limited');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);

    expect((await login(t, PASSWORD, '127.0.0.1')).statusCode).toBe(204);
  });

  it('counts failures, not sign-ins: an admin who signs in often is never throttled', async () => {
    for (let i = 0; i < 15; i++) expect((await login(t, PASSWORD)).statusCode, `sign-in ${i + 1}`).toBe(204);
  });
});

describe('Host allow-list', () => {
  const evil = { host: 'evil.example' };

  it('refuses a foreign Host on every route, static files and the WebSocket upgrade included', async () => {
    const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-web-'));
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>pasv</title>');
    const withWeb = await startTestApp({ env: { PASV_WEB_DIR: webDir } });
    cleanup.push(async () => {
      await withWeb.close();
      fs.rmSync(webDir, { recursive: true, force: true });
    });
    for (const url of ['/api/sites', '/', '/index.html', '/some/page', '/api/health', '/api/nope']) {
      const response = await withWeb.app.inject({ url, headers: { ...withWeb.auth, ...evil } });
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error.code, url).toBe('forbidden_host');
    }
    const post = await withWeb.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: evil,
      payload: { password: PASSWORD },
    });
    expect(post.statusCode).toBe(403);
    expect(post.cookies).toEqual([]);
    await expect(withWeb.app.injectWS('/api/ws', { headers: { ...withWeb.auth, ...evil } })).rejects.toThrow(/403/);

    const home = await withWeb.app.inject({ url: '/', headers: { host: '127.0.0.1:8080' } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('<title>pasv</title>');
  });

  it('lets in the listen address, localhost, 127.0.0.1 and [::1] on its port, and PASV_ALLOWED_HOSTS', async () => {
    const configured = await startTestApp({
      env: { PASV_HOST: '192.0.2.7', PASV_PORT: '9443', PASV_ALLOWED_HOSTS: 'pasv.example.org, Other.Example:8443' },
    });
    cleanup.push(() => configured.close());
    const allowed = [
      '192.0.2.7:9443',
      'localhost:9443',
      '127.0.0.1:9443',
      '[::1]:9443',
      'pasv.example.org',
      'other.example:8443',
    ];
    for (const host of allowed) {
      const response = await configured.app.inject({ url: '/api/sites', headers: { ...configured.auth, host } });
      expect(response.statusCode, host).toBe(200);
    }
    const refused = [
      'localhost:8080',
      '127.0.0.1',
      'pasv.example.org:9443',
      'evil.example:9443',
      '127.0.0.1.evil.example:9443',
    ];
    for (const host of refused) {
      const response = await configured.app.inject({ url: '/api/health', headers: { host } });
      expect(response.statusCode, host).toBe(403);
    }
    const socket = await configured.app.injectWS('/api/ws', {
      headers: { ...configured.auth, host: 'pasv.example.org' },
    });
    socket.terminate();
  });
});

describe('Origin of the live feed', () => {
  const host = '127.0.0.1:8080';

  it('compares the scheme too: https:// or ws:// on the app host is another origin', async () => {
    for (const origin of [
      'https://127.0.0.1:8080',
      'ws://127.0.0.1:8080',
      'http://127.0.0.1:8081',
      'http://localhost:8080',
    ]) {
      await expect(t.app.injectWS('/api/ws', { headers: { ...t.auth, host, origin } }), origin).rejects.toThrow(/403/);
    }
    const socket = await t.app.injectWS('/api/ws', { headers: { ...t.auth, host, origin: 'http://127.0.0.1:8080' } });
    socket.terminate();
  });

  it('expects https:// behind an HTTPS proxy (PASV_SECURE_COOKIE)', async () => {
    const proxied = await startTestApp({ env: { PASV_SECURE_COOKIE: 'true', PASV_ALLOWED_HOSTS: 'pasv.example.org' } });
    cleanup.push(() => proxied.close());
    const headers = { ...proxied.auth, host: 'pasv.example.org' };
    await expect(
      proxied.app.injectWS('/api/ws', { headers: { ...headers, origin: 'http://pasv.example.org' } }),
    ).rejects.toThrow(/403/);
    const socket = await proxied.app.injectWS('/api/ws', {
      headers: { ...headers, origin: 'https://pasv.example.org' },
    });
    socket.terminate();
  });
});
