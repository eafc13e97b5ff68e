import { expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.js';

it('throttles an address after its failures until its window ends, then lets it try again', () => {
  const limiter = new LoginLimiter({ maxFailures: 3, windowMs: 60_000 });
  const t0 = 1_000_000;
  for (let i = 0; i < 3; i++) expect(limiter.attempt('10.9.9.9', t0 + i)).toBeNull();
  expect(limiter.attempt('10.9.9.9', t0 + 30_000)).toBe(30);
  expect(limiter.attempt('10.0.0.1', t0 + 30_000)).toBeNull();
  expect(limiter.attempt('10.9.9.9', t0 + 60_000)).toBeNull();
});

it('gives a right password its count back', () => {
  const limiter = new LoginLimiter({ maxFailures: 2 });
  for (let i = 0; i < 10; i++) {
    expect(limiter.attempt('127.0.0.1')).toBeNull();
    limiter.succeeded('127.0.0.1');
  }
});

it('remembers a bounded number of addresses, however many flood it', () => {
  const limiter = new LoginLimiter({ maxAddresses: 100 });
  for (let i = 0; i < 20_000; i++) limiter.attempt(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  expect(limiter.size).toBe(100);
  // The newest flooders are the ones remembered.
  for (let i = 0; i < 9; i++) limiter.attempt('10.0.78.31');
  expect(limiter.attempt('10.0.78.31')).not.toBeNull();
});

it('counts an IPv6 /64 as one client, and an IPv4-mapped address as its IPv4 address', () => {
  const limiter = new LoginLimiter({ maxFailures: 2 });
  expect(limiter.attempt('2001:db8::1')).toBeNull();
  expect(limiter.attempt('2001:0DB8:0:0:ffff::2')).toBeNull();
  expect(limiter.attempt('2001:db8:0:0:1:2:3:4')).not.toBeNull();
  expect(limiter.attempt('2001:db8:0:1::1')).toBeNull();
  expect(limiter.attempt('::ffff:10.9.9.9')).toBeNull();
  expect(limiter.attempt('10.9.9.9')).toBeNull();
  expect(limiter.attempt('::FFFF:10.9.9.9')).not.toBeNull();
});
