import { describe, it, expect } from 'vitest';
import {
  isPermanentNegative,
  isPositiveCompletion,
  isPositiveIntermediate,
  isPositivePreliminary,
  isTransientNegative,
  parseReplies,
  type Reply,
} from './reply.js';
import { FtpConnectionError } from './errors.js';

const summary = (replies: Reply[]) => replies.map((r) => [r.code, r.text]);

/** Parses `input` fed in the given chunks, as a socket reader would. */
function feed(chunks: string[], max?: number): { replies: Reply[]; rest: string } {
  const replies: Reply[] = [];
  let rest = '';
  for (const chunk of chunks) {
    const parsed = parseReplies(rest + chunk, max);
    replies.push(...parsed.replies);
    rest = parsed.rest;
  }
  return { replies, rest };
}

function expectProtocolError(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FtpConnectionError);
    expect((err as FtpConnectionError).code).toBe('protocol');
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a protocol error');
}

const FEAT =
  '211-Features:\r\n' +
  ' MLST type*;size*;modify*;\r\n' +
  ' 211 is not the end\r\n' +
  '211-still not the end\r\n' +
  '226 another code inside\r\n' +
  '2110 four digits\r\n' +
  ' UTF8\r\n' +
  '211 End\r\n';

describe('parseReplies', () => {
  it.each<[string, string, [number, string][], string]>([
    ['single line', '220 Welcome\r\n', [[220, 'Welcome']], ''],
    ['code alone', '200\r\n', [[200, '']], ''],
    ['code and space', '200 \r\n', [[200, '']], ''],
    [
      'bare LF',
      '220 Welcome\n230 In\n',
      [
        [220, 'Welcome'],
        [230, 'In'],
      ],
      '',
    ],
    [
      'mixed endings',
      '220 a\r\n230 b\n',
      [
        [220, 'a'],
        [230, 'b'],
      ],
      '',
    ],
    ['incomplete line', '220 Welc', [], '220 Welc'],
    ['line without LF', '220 Welcome\r', [], '220 Welcome\r'],
    ['empty buffer', '', [], ''],
    ['two replies, second pending', '200 ok\r\n150 Open', [[200, 'ok']], '150 Open'],
    [
      '421 after another reply in the same chunk',
      '226 Transfer complete\r\n421 Timeout\r\n',
      [
        [226, 'Transfer complete'],
        [421, 'Timeout'],
      ],
      '',
    ],
    [
      'multi-line with codes and NNN- lines inside',
      FEAT,
      [
        [
          211,
          'Features:\n MLST type*;size*;modify*;\n 211 is not the end\n211-still not the end\n226 another code inside\n2110 four digits\n UTF8\nEnd',
        ],
      ],
      '',
    ],
    ['multi-line ended by the code alone', '230-Hi\r\nthere\r\n230\r\n', [[230, 'Hi\nthere\n']], ''],
    ['multi-line ended by code alone with LF', '230-Hi\n230\n', [[230, 'Hi\n']], ''],
    ['multi-line of two lines', '230-Hello\r\n230 Done\r\n', [[230, 'Hello\nDone']], ''],
    ['multi-line with empty first text', '230-\r\n230 \r\n', [[230, '\n']], ''],
    ['multi-line pending', '211-Features:\r\n MDTM\r\n211', [], '211-Features:\r\n MDTM\r\n211'],
    ['multi-line pending after "NNN "', '211-F\r\n211 En', [], '211-F\r\n211 En'],
    ['multi-line pending after "NNN\\r"', '211-F\r\n211\r', [], '211-F\r\n211\r'],
    ['multi-line, "NNN\\rX" does not end it', '211-F\r\n211\rX\r\n211 E\r\n', [[211, 'F\n211\rX\nE']], ''],
    ['UTF-8 text', '257 "/Ünïcødé/日本語 🚀" created\r\n', [[257, '"/Ünïcødé/日本語 🚀" created']], ''],
    [
      'code 100 and 599',
      '100 low\r\n599 high\r\n',
      [
        [100, 'low'],
        [599, 'high'],
      ],
      '',
    ],
  ])('%s', (_name, input, expected, rest) => {
    const parsed = parseReplies(input);
    expect(summary(parsed.replies)).toEqual(expected);
    expect(parsed.rest).toBe(rest);
  });

  it('keeps the raw lines without CRLF', () => {
    const [reply] = parseReplies('230-Hello\r\n  in between\r\n230 Done\r\n').replies;
    expect(reply?.lines).toEqual(['230-Hello', '  in between', '230 Done']);
    expect(parseReplies('200 ok\n').replies[0]?.lines).toEqual(['200 ok']);
  });

  it.each([
    ['garbage line', 'hello\r\n', /Malformed/],
    ['empty line', '\r\n', /Malformed/],
    ['code too low', '099 nope\r\n', /Malformed/],
    ['code too high', '600 nope\r\n', /Malformed/],
    ['two digits', '22 x\r\n', /Malformed/],
    ['four digits', '2200 x\r\n', /Malformed/],
    ['no separator', '220x\r\n', /Malformed/],
    ['leading space', ' 220 x\r\n', /Malformed/],
    ['garbage after a good reply', '200 ok\r\nHTTP/1.1 400 Bad\r\n', /Malformed/],
    ['incomplete garbage', 'HTTP/1.1 400', /Malformed/],
    ['incomplete garbage after three digits', '220x', /Malformed/],
    ['NUL start', '\0\0\0\0', /Malformed/],
  ])('rejects a %s', (_name, input, message) => {
    expectProtocolError(() => parseReplies(input), message);
  });

  it('accepts every valid prefix of a reply as pending', () => {
    for (const pending of ['2', '22', '220', '220 ', '220-', '220\r']) {
      expect(parseReplies(pending)).toEqual({ replies: [], rest: pending });
    }
  });

  it('gives the same replies whichever byte offset splits the input', () => {
    const input =
      '220-Welcome to\r\n220-  the server\r\n 220 inside\r\n220 ready\r\n' +
      '331 Password required\r\n230 Ünïcødé 日本\n' +
      FEAT +
      '150 Opening\r\n226 Done\r\n421 Bye\r\n';
    const whole = parseReplies(input);
    expect(whole.rest).toBe('');
    expect(whole.replies).toHaveLength(7);
    for (let k = 0; k <= input.length; k++) {
      expect(feed([input.slice(0, k), input.slice(k)]), `split at ${k}`).toEqual(whole);
    }
    expect(feed([...input])).toEqual(whole);
  });

  it('parses 10 000 replies in one buffer', () => {
    const input = Array.from({ length: 10_000 }, (_, i) =>
      i % 10 === 0 ? `211-multi ${i}\r\n inner\r\n211 end\r\n` : `200 reply ${i}\r\n`,
    ).join('');
    const started = performance.now();
    const { replies, rest } = parseReplies(input, 64 * 1024);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(rest).toBe('');
    expect(replies).toHaveLength(10_000);
    expect(replies[1]).toEqual({ code: 200, lines: ['200 reply 1'], text: 'reply 1' });
    expect(replies[9990]?.text).toBe('multi 9990\n inner\nend');
  });

  describe('size cap', () => {
    it('rejects a complete single-line reply over the cap', () => {
      expectProtocolError(() => parseReplies(`200 ${'x'.repeat(200)}\r\n`, 100), /exceeds 100 bytes/);
    });

    it('rejects a complete multi-line reply over the cap', () => {
      const lines = Array.from({ length: 20 }, () => ' line of text').join('\r\n');
      expectProtocolError(() => parseReplies(`211-a\r\n${lines}\r\n211 b\r\n`, 100), /exceeds/);
    });

    it('accepts a reply exactly at the cap', () => {
      const reply = `200 ${'x'.repeat(94)}\r\n`;
      expect(reply).toHaveLength(100);
      expect(parseReplies(reply, 100).replies).toHaveLength(1);
    });

    it('counts UTF-8 bytes, not characters', () => {
      const reply = `200 ${'日'.repeat(40)}\r\n`; // 46 characters, 126 bytes
      expectProtocolError(() => parseReplies(reply, 100), /exceeds/);
    });

    it('rejects a pending line that grows past the cap', () => {
      expectProtocolError(() => feed(['200 ', 'x'.repeat(60), 'x'.repeat(60)], 100), /exceeds/);
    });

    it('rejects a multi-line reply that never ends, fed in small chunks', () => {
      const chunks = ['211-start\r\n', ...Array.from({ length: 10_000 }, () => ' 211-no end here\r\n')];
      expectProtocolError(() => feed(chunks, 64 * 1024), /exceeds 65536 bytes/);
    });

    it('stays fast on a long pending multi-line reply fed in small chunks', () => {
      const body = Array.from({ length: 3000 }, (_, i) => `211-line ${i}\r\n`).join('');
      const input = `211-start\r\n${body}211 end\r\n`;
      const chunks: string[] = [];
      for (let i = 0; i < input.length; i += 64) chunks.push(input.slice(i, i + 64));
      const started = performance.now();
      const { replies, rest } = feed(chunks, 64 * 1024);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(rest).toBe('');
      expect(replies).toHaveLength(1);
      expect(replies[0]?.lines).toHaveLength(3002);
    });

    it('does not buffer a huge garbage stream', () => {
      expectProtocolError(() => parseReplies('x'.repeat(1_000_000)), /Malformed|exceeds/);
    });
  });
});

describe('reply classes', () => {
  it.each([
    [150, [true, false, false, false, false]],
    [125, [true, false, false, false, false]],
    [226, [false, true, false, false, false]],
    [350, [false, false, true, false, false]],
    [421, [false, false, false, true, false]],
    [550, [false, false, false, false, true]],
    [99, [false, false, false, false, false]],
    [600, [false, false, false, false, false]],
  ])('%i', (code, expected) => {
    expect([
      isPositivePreliminary(code),
      isPositiveCompletion(code),
      isPositiveIntermediate(code),
      isTransientNegative(code),
      isPermanentNegative(code),
    ]).toEqual(expected);
  });
});
