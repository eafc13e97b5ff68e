import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestApp } from '../../test/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

async function signIn(): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/api/session', payload: { password: PASSWORD } });
  const cookie = response.cookies.find((c) => c.name === 'pasv_session')!;
  return `pasv_session=${cookie.value}`;
}

interface Operation {
  responses?: Record<string, { description?: string; content?: unknown }>;
}

describe('/api/docs', () => {
  it('serves the docs page and its document to a signed-in user only', async () => {
    expect((await t.app.inject({ url: '/api/docs' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/docs/json' })).statusCode).toBe(401);
    const cookie = await signIn();
    let page = await t.app.inject({ url: '/api/docs', headers: { cookie } });
    // The plugin may redirect the bare prefix to its page.
    if (page.statusCode === 302)
      page = await t.app.inject({ url: page.headers.location as string, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('swagger-ui-bundle.js');
    // Helmet's CSP is kept: no inline script is allowed on the docs page either.
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    // Inline styles are let in for Swagger UI's pages only.
    expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    const elsewhere = await t.app.inject({ url: '/api/session', headers: { cookie } });
    expect(elsewhere.headers['content-security-policy']).toMatch(/style-src 'self'(;|$)/);
    const bundle = await t.app.inject({ url: '/api/docs/static/swagger-ui-bundle.js', headers: { cookie } });
    expect(bundle.statusCode).toBe(200);
  });

  it('documents every operation with a described 2xx body and no "Default Response"', async () => {
    const cookie = await signIn();
    const document = (await t.app.inject({ url: '/api/docs/json', headers: { cookie } })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const { name, operation } of operations) {
      const responses = Object.entries(operation.responses ?? {});
      if (!responses.some(([status]) => /^2\d\d$/.test(status))) problems.push(`${name}: no 2xx response`);
      for (const [status, response] of responses) {
        if (!response.description || response.description === 'Default Response') {
          problems.push(`${name} ${status}: "Default Response"`);
        }
        if (status !== '204' && /^[2-5]\d\d$/.test(status) && !response.content)
          problems.push(`${name} ${status}: no body schema`);
      }
      if (!responses.some(([status]) => status === '401') && name !== 'POST /api/session') {
        problems.push(`${name}: no 401 (every route but sign-in is authed)`);
      }
    }
    expect(problems).toEqual([]);
    expect(Object.keys(document.paths['/api/session']!.post!.responses!)).toContain('204');
    expect(document.paths['/api/session']!.post!.responses!['204']!.content).toBeUndefined();
  });
});
