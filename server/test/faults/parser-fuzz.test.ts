/**
 * Fuzzing the two parsers that read what a (possibly hostile) server sends: parseReplies
 * (control connection) and parseListing (directory listings), over 100 000 generated inputs.
 * Properties: no exception but the documented FtpConnectionError('protocol'); every call
 * returns quickly; `rest` is a suffix of the input; replies survive any chunking unchanged;
 * every listed name is one validateListedName accepts, and safe names come back exact.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FtpConnectionError } from '../../src/ftp/errors.js';
import { parseListing, validateListedName } from '../../src/ftp/listing.js';
import { parseReplies, type Reply } from '../../src/ftp/reply.js';

/** Fixed seed so a failure reproduces; PASV_FUZZ_SEED=<n> explores further. */
const SEED = Number(process.env.PASV_FUZZ_SEED ?? 20_261_124);
/** Far above what these small inputs need (microseconds), with room for a GC pause. */
const MAX_CALL_MS = 500;

/** A plain assertion for the hot loops: vitest's expect costs more than the parse itself. */
function check(condition: boolean, what: string, input: unknown): void {
  if (!condition) throw new Error(`${what}: ${JSON.stringify(input)}`);
}

let slowest = 0;
function timed<T>(call: () => T): T {
  const start = performance.now();
  try {
    return call();
  } finally {
    slowest = Math.max(slowest, performance.now() - start);
  }
}

/** parseReplies, with its only allowed failure turned into null. */
function parseOrProtocolError(input: string, max?: number): { replies: Reply[]; rest: string } | null {
  try {
    return timed(() => parseReplies(input, max));
  } catch (error) {
    check(error instanceof FtpConnectionError && error.code === 'protocol', `unexpected ${String(error)}`, input);
    return null;
  }
}

// ---- generators ---------------------------------------------------------------------------

const code = fc.integer({ min: 100, max: 599 }).map(String);
const anyCode = fc.oneof(
  code,
  fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')),
);
/** Text of a reply line: anything but CR and LF. */
const lineText = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' '));
const eol = fc.constantFrom('\r\n', '\n');

/** Pieces that look like FTP replies, so the fuzzer reaches past the first check. */
const replyFragment = fc.oneof(
  fc
    .tuple(anyCode, fc.constantFrom(' ', '-', '', '\r', 'x'), lineText, fc.constantFrom('\r\n', '\n', '\r', ''))
    .map((p) => p.join('')),
  fc.tuple(code, lineText).map(([c, t]) => `${c}-${t}\r\n ${c} inner\r\n${c}-also inner\r\n${c} ${t}\r\n`),
  fc.constantFrom('\r\n', '\n', '\r', ' ', '-', '2', '22', '220', '220-', '\0', '\u2028', '421 bye\r\n'),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const replySoup = fc.array(replyFragment, { maxLength: 24 }).map((parts) => parts.join(''));

interface ModelReply {
  code: number;
  lines: string[];
  text: string;
  wire: string;
}

/** A well-formed reply (single or multi-line) and its exact expected parse. */
const wellFormedReply: fc.Arbitrary<ModelReply> = fc
  .tuple(code, fc.array(lineText, { minLength: 1, maxLength: 5 }), eol, fc.boolean())
  .map(([c, texts, newline, innerDigits]) => {
    if (texts.length === 1) {
      const line = `${c} ${texts[0]}`;
      return { code: Number(c), lines: [line], text: texts[0]!, wire: `${line}${newline}` };
    }
    const middle = texts.slice(1, -1).map((t, i) => {
      // Inner lines may start with digits, even "NNN-", but never end the reply early.
      const inner = innerDigits && i % 2 === 0 ? `${c}-${t}` : t;
      return new RegExp(`^${c}( |$)`).test(inner) ? ` ${inner}` : inner;
    });
    const lines = [`${c}-${texts[0]}`, ...middle, `${c} ${texts[texts.length - 1]}`];
    const text = [texts[0]!, ...middle, texts[texts.length - 1]!].join('\n');
    return { code: Number(c), lines, text, wire: lines.map((l) => `${l}${newline}`).join('') };
  });

/** Cut points for a string of length n (the session gets data in arbitrary chunks). */
function chunked(wire: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const point of [...points, wire.length]) {
    chunks.push(wire.slice(from, point));
    from = point;
  }
  return chunks.filter((c) => c !== '');
}

// validateListedName refuses controls, bidi characters and line separators too.
const safeName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter(validateListedName);
const hostileName = fc.oneof(
  safeName,
  fc.constantFrom('.', '..', '../etc', 'a/b', '/', 'x\r\nDELE y', 'nul\0byte', 'cr\r', ' ', '', 'a -> b'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const month = fc.constantFrom('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec');
const lsDate = fc.oneof(
  fc
    .tuple(month, fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(
      ([m, d, h, mi]) => `${m} ${String(d).padStart(2)} ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}`,
    ),
  fc
    .tuple(month, fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1990, max: 2030 }))
    .map(([m, d, y]) => `${m} ${String(d).padStart(2)}  ${y}`),
);
const lsLine = (name: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.constantFrom('-', 'd', 'l', 'c', 'p', 's', 'b', '?'),
      fc.constantFrom('rw-r--r--', 'rwxr-xr-x', 'rwxrwxrwx'),
      fc.nat(2 ** 40),
      lsDate,
      name,
    )
    .map(([kind, perms, size, date, n]) => ({
      kind,
      name: n,
      size,
      line: `${kind}${perms}    1 ftp      ftp  ${String(size).padStart(10)} ${date} ${n}`,
    }));
const mlsdDate = fc.date({ min: new Date('1971-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });
const mlsdLine = (name: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.constantFrom('file', 'dir', 'File', 'DIR', 'cdir', 'pdir', 'OS.unix=symlink', 'OS.unix=chr-1/2', 'weird'),
      fc.nat(999_999_999_999_999),
      mlsdDate,
      name,
    )
    .map(([type, size, date, n]) => {
      const modify = date
        .toISOString()
        .replace(/[-:T]/g, '')
        .replace(/\.\d+Z$/, '');
      return { type, size, date, name: n, line: `type=${type};size=${size};modify=${modify};UNIX.mode=0644; ${n}` };
    });
const listingSoup = fc
  .array(
    fc.oneof(
      lsLine(hostileName).map((l) => l.line),
      mlsdLine(hostileName).map((l) => l.line),
      fc.constantFrom(
        'total 12',
        '',
        '   ',
        '11-24-26  09:47AM       <DIR>          dos dir',
        '11-24-26  09:47AM                  12 dos.txt',
      ),
      fc.string({ unit: 'binary', maxLength: 60 }),
    ),
    { maxLength: 12 },
  )
  .chain((lines) => fc.constantFrom('\r\n', '\n', '\r').map((sep) => lines.join(sep)));

// ---- properties ---------------------------------------------------------------------------

describe('parser fuzzing (fast-check)', () => {
  it('parseReplies: arbitrary input never escapes as anything but a protocol error; rest is a suffix', () => {
    const property = (input: string) => {
      const result = parseOrProtocolError(input);
      if (result === null) return;
      check(input.endsWith(result.rest), 'rest is not a suffix', input);
      for (const reply of result.replies) {
        check(reply.code >= 100 && reply.code <= 599, 'code out of range', input);
        check(reply.lines[0]!.startsWith(String(reply.code)), 'first line does not start with the code', input);
        check(
          reply.lines.every((line) => !line.includes('\n')),
          'a line holds LF',
          input,
        );
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), property), { numRuns: 25_000, seed: SEED });
    fc.assert(fc.property(replySoup, property), { numRuns: 30_000, seed: SEED });
    // A small cap: the size check fires, and still only as a protocol error.
    fc.assert(
      fc.property(replySoup, (input) => void parseOrProtocolError(input, 64)),
      { numRuns: 5_000, seed: SEED },
    );
    expect(slowest).toBeLessThan(MAX_CALL_MS);
  });

  it('parseReplies: well-formed replies come out exact however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.array(wellFormedReply, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (model, cuts) => {
          const wire = model.map((r) => r.wire).join('');
          const got: Reply[] = [];
          let pending = '';
          for (const chunk of chunked(wire, cuts)) {
            // Exactly what the session does with each chunk from the socket.
            const parsed = timed(() => parseReplies(pending + chunk));
            check((pending + chunk).endsWith(parsed.rest), 'rest is not a suffix', wire);
            got.push(...parsed.replies);
            pending = parsed.rest;
          }
          expect(pending).toBe('');
          expect(got.map((r) => ({ code: r.code, lines: r.lines, text: r.text }))).toEqual(
            model.map((r) => ({ code: r.code, lines: r.lines, text: r.text })),
          );
        },
      ),
      { numRuns: 15_000, seed: SEED },
    );
    expect(slowest).toBeLessThan(MAX_CALL_MS);
  });

  it('parseReplies: a never-ending multi-line reply trickled in small chunks costs bounded time', () => {
    let pending = '';
    const start = performance.now();
    let error: unknown = null;
    try {
      pending = parseReplies('220-welcome\r\n').rest;
      for (let i = 0; i < 100_000 && error === null; i++) pending = parseReplies(`${pending}220-line ${i}\r\n`).rest;
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FtpConnectionError);
    expect((error as FtpConnectionError).code).toBe('protocol');
    expect(pending.length).toBeLessThanOrEqual(64 * 1024);
    expect(performance.now() - start).toBeLessThan(3_000);
  });

  it('parseListing: never throws; every entry is well-typed with a name validateListedName accepts', () => {
    fc.assert(
      fc.property(listingSoup, (text) => {
        const { entries, rejected } = timed(() => parseListing(text, new Date('2026-11-24T12:00:00Z')));
        check(entries.length + rejected <= text.split(/\r?\n/).length, 'more entries than lines', text);
        for (const entry of entries) {
          check(validateListedName(entry.name), 'unsafe name', entry);
          check(['file', 'dir', 'link'].includes(entry.type), 'unknown type', entry);
          check(Number.isSafeInteger(entry.size) && entry.size >= 0, 'bad size', entry);
          check(
            entry.modifiedAt === null || new Date(entry.modifiedAt).toISOString() === entry.modifiedAt,
            'bad date',
            entry,
          );
          check(entry.target === undefined || !/[\r\n\0]/.test(entry.target), 'unsafe link target', entry);
        }
      }),
      { numRuns: 20_000, seed: SEED },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        for (const entry of timed(() => parseListing(text)).entries)
          check(validateListedName(entry.name), 'unsafe name', entry);
      }),
      { numRuns: 10_000, seed: SEED },
    );
    expect(slowest).toBeLessThan(MAX_CALL_MS);
  });

  it('parseListing: safe names in `ls -l` and MLSD lines come back exactly, with their size', () => {
    fc.assert(
      fc.property(lsLine(safeName.filter((n) => n.trim() === n && !n.includes(' -> '))), (l) => {
        const { entries } = timed(() => parseListing(l.line));
        if (l.kind === '-' || l.kind === 'd') {
          expect(entries).toHaveLength(1);
          expect(entries[0]!.name).toBe(l.name);
          expect(entries[0]!.size).toBe(l.kind === 'd' ? 0 : l.size);
        } else if (l.kind !== 'l') {
          expect(entries).toHaveLength(0); // devices, pipes, sockets: nothing to copy
        }
      }),
      { numRuns: 10_000, seed: SEED },
    );
    fc.assert(
      fc.property(mlsdLine(safeName), (l) => {
        const { entries } = timed(() => parseListing(l.line));
        const type = l.type.toLowerCase();
        if (type === 'file' || type === 'dir') {
          expect(entries).toEqual([
            {
              name: l.name,
              type,
              size: type === 'dir' ? 0 : l.size,
              modifiedAt: new Date(Math.floor(l.date.getTime() / 1000) * 1000).toISOString(),
            },
          ]);
        } else if (type !== 'os.unix=symlink') {
          expect(entries).toHaveLength(0);
        }
      }),
      { numRuns: 10_000, seed: SEED },
    );
    expect(slowest).toBeLessThan(MAX_CALL_MS);
  });
});
