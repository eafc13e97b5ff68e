import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { dirname } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutPostgres, withPostgres } from '../../test/postgres.js';
import { startPostgres, type LocalPostgres } from './postgres.js';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m);
  return Number(line?.[1]);
}

function postgresUid(): number {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  return Number(entry?.split(':')[2]);
}

/** host:port of every TCP socket `pid` listens on, from /proc/net/tcp{,6}. */
function listeningOn(pid: number): string[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1])
      .filter(Boolean),
  );
  const LISTEN = '0A';
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === LISTEN && inodes.has(fields[9]))
      .map((fields) => {
        const [address = '', port = ''] = fields[1]!.split(':');
        // IPv4 is one little-endian word; anything longer is shown as its hex.
        const host = address.length === 8 ? Buffer.from(address, 'hex').reverse().join('.') : address;
        return `${host}:${parseInt(port, 16)}`;
      }),
  );
}

describe.skipIf(skipWithoutPostgres())('startPostgres', () => {
  let postgres: LocalPostgres;
  const logged: string[] = [];

  beforeAll(async () => {
    postgres = await startPostgres({ log: (line) => logged.push(line) });
  }, 60_000);
  afterAll(() => postgres?.stop());

  it('runs a real PostgreSQL 15 and hands out its URL', async () => {
    const [row] = await query<{ version: string }>(postgres.url, 'SELECT version()');
    expect(row?.version).toMatch(/^PostgreSQL 1[5-9]/);
    const [db] = await query<{ name: string }>(postgres.url, 'SELECT current_database() AS name');
    expect(db?.name).toBe('pasv');
    expect(logged.join('\n')).toContain('ready to accept connections');
  });

  it('runs as an unprivileged user and listens on 127.0.0.1 only', () => {
    const uid = uidOf(postgres.pid);
    expect(uid).not.toBe(0);
    expect(uid).toBe(process.getuid?.() === 0 ? postgresUid() : process.getuid?.());
    const port = Number(new URL(postgres.url).port);
    expect(listeningOn(postgres.pid)).toEqual([`127.0.0.1:${port}`]);
  });

  it('creates empty databases by name', async () => {
    const first = await postgres.createDatabase('pasv_one');
    const second = await postgres.createDatabase('pasv_two');
    expect(first).not.toBe(second);
    for (const [url, name] of [
      [first, 'pasv_one'],
      [second, 'pasv_two'],
    ] as const) {
      const [db] = await query<{ name: string }>(url, 'SELECT current_database() AS name');
      expect(db?.name).toBe(name);
    }
    await expect(postgres.createDatabase('pasv_one')).rejects.toThrow(/already exists/);
    await expect(postgres.createDatabase('x"; DROP')).rejects.toThrow(/database name/);
  });

  it('stops by PID and removes its directory', async () => {
    const server = await startPostgres();
    const base = dirname(server.dataDir);
    expect(existsSync(server.dataDir)).toBe(true);
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(existsSync(base)).toBe(false);
  }, 60_000);

  it('fails on an occupied port, quoting the server log', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      const start = startPostgres({ port });
      await expect(start).rejects.toThrow(`PostgreSQL did not start on 127.0.0.1:${port}`);
      await expect(start).rejects.toThrow(/could not bind IPv4 address "127\.0\.0\.1": Address already in use/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);
});

describe.skipIf(skipWithoutPostgres())('withPostgres', () => {
  const postgres = withPostgres();
  const seen: string[] = [];

  for (const round of [1, 2]) {
    it(`gives test ${round} a database of its own`, async () => {
      expect(seen).not.toContain(postgres.url);
      seen.push(postgres.url);
      const tables = await query(postgres.url, "SELECT 1 FROM pg_tables WHERE tablename = 'mark'");
      expect(tables).toEqual([]);
      await query(postgres.url, 'CREATE TABLE mark (id int)');
    });
  }
});
