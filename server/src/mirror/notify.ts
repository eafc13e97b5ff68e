/**
 * Webhooks: a JSON POST when a run ends or its transfer fails, signed with HMAC-SHA256 of the
 * body under the job's secret (`X-Pasv-Signature: sha256=<hex>`). Delivery runs beside the
 * queue, never in its way: send() returns at once, failures are retried with backoff and
 * then dropped (logged by the caller's onGiveUp).
 */
import crypto from 'node:crypto';
import { InvalidFieldError } from '../errors.js';

export interface NotifierOptions {
  /** Delay before retry n (default 1 s, 5 s, 30 s); tests shorten it. */
  retryDelaysMs?: number[];
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  onGiveUp?: (url: string, error: unknown) => void;
}

export function signature(body: string, secret: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** http and https only: a webhook is an outgoing request, not a file read or anything else. */
export function validateWebhookUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidFieldError('webhook.url', `"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidFieldError('webhook.url', `only http and https webhooks are allowed, not ${parsed.protocol}`);
  }
}

export class Notifier {
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: NotifierOptions = {}) {}

  /** Queue a delivery and return at once. */
  send(url: string, secret: string | null, payload: object): void {
    if (this.closed) return;
    const body = JSON.stringify(payload);
    const delivery = this.deliver(url, secret, body).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Stop retrying; deliveries under way end on their own timeouts. */
  close(): void {
    this.closed = true;
  }

  private async deliver(url: string, secret: string | null, body: string): Promise<void> {
    const delays = this.options.retryDelaysMs ?? [1_000, 5_000, 30_000];
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'pasv-webhook',
            ...(secret ? { 'x-pasv-signature': signature(body, secret) } : {}),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        await response.body?.cancel();
        if (response.ok) return;
        throw new Error(`webhook answered ${response.status}`);
      } catch (error) {
        if (this.closed || attempt >= delays.length) {
          this.options.onGiveUp?.(url, error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delays[attempt]).unref());
      }
    }
  }
}
