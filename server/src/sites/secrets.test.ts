import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretBox } from './secrets.js';

describe('SecretBox', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-secrets-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('creates a 0600 key once and round-trips a secret across reopen', () => {
    const dir = tempDir();
    const sealed = SecretBox.open(dir).seal('hunter2', 'site-1');
    expect(sealed).not.toContain('hunter2');
    expect(fs.statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(SecretBox.open(dir).open(sealed, 'site-1')).toBe('hunter2');
  });

  it('refuses a ciphertext moved to another site or tampered with', () => {
    const box = SecretBox.open(tempDir());
    const sealed = box.seal('hunter2', 'site-1');
    expect(() => box.open(sealed, 'site-2')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x' + Buffer.from(parts[3]!, 'base64').toString('latin1'), 'latin1').toString('base64');
    expect(() => box.open(parts.join('.'), 'site-1')).toThrow();
  });

  it("refuses another installation's key", () => {
    const sealed = SecretBox.open(tempDir()).seal('hunter2', 'site-1');
    expect(() => SecretBox.open(tempDir()).open(sealed, 'site-1')).toThrow();
  });
});
