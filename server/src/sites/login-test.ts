/** "Test connection": one login with a fresh session of its own, what the server said, and how long it took. */
import type { SiteTestResult } from '../../../contract/index.js';
import { describeError } from '../errors.js';
import { FtpSession, type SessionOptions } from '../ftp/session.js';

export async function tryLogin(options: SessionOptions): Promise<SiteTestResult> {
  const startedAt = Date.now();
  try {
    const session = await FtpSession.connect({ ...options, keepaliveMs: 0, connectTimeoutMs: 10_000 });
    const loginMs = Date.now() - startedAt;
    const features = [...session.features].map(([key, value]) => (value ? `${key} ${value}` : key));
    await session.close();
    return { ok: true, features, greeting: session.greeting, loginMs };
  } catch (error) {
    return { ok: false, features: [], error: describeError(error) };
  }
}
