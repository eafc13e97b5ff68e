import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidFieldError } from '../errors.js';
import { Notifier, signature, validateWebhookUrl } from './notify.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A local webhook receiver that fails the first `failures` requests. */
async function receiver(failures: number) {
  const received: { body: string; signature: string | undefined }[] = [];
  let seen = 0;
  let arrived: () => void = () => undefined;
  const delivered = new Promise<void>((resolve) => (arrived = resolve));
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (seen++ < failures) {
        response.writeHead(503).end();
        return;
      }
      received.push({ body, signature: request.headers['x-pasv-signature'] as string | undefined });
      response.writeHead(204).end();
      arrived();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, delivered, attempts: () => seen };
}

describe('webhooks', () => {
  it('posts a signed JSON body, retrying after failures', async () => {
    const hook = await receiver(2);
    const notifier = new Notifier({ retryDelaysMs: [10, 10, 10] });
    notifier.send(hook.url, 'job secret', { event: 'run.finished', run: { id: 'r1', state: 'done' } });
    await hook.delivered;
    expect(hook.attempts()).toBe(3);
    const [{ body, signature: header }] = hook.received as [{ body: string; signature: string }];
    expect(JSON.parse(body)).toEqual({ event: 'run.finished', run: { id: 'r1', state: 'done' } });
    expect(header).toBe(signature(body, 'job secret'));
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it.each(['file:///etc/passwd', 'ftp://host/x', 'not a url'])('refuses %s naming webhook.url', (url) => {
    expect(() => validateWebhookUrl(url)).toThrow(InvalidFieldError);
    expect(() => validateWebhookUrl(url)).toThrow(/^webhook\.url: /);
  });
});
