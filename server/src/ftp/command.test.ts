import { describe, it, expect } from 'vitest';
import { assertSafeArgument, formatCommand, maskCommand } from './command.js';
import { UnsafeArgumentError } from './errors.js';

describe('formatCommand', () => {
  it.each([
    ['NOOP', undefined, 'NOOP\r\n'],
    ['PWD', undefined, 'PWD\r\n'],
    ['NOOP', '', 'NOOP\r\n'],
    ['USER', 'anonymous', 'USER anonymous\r\n'],
    ['RETR', 'dir with spaces/ünï 日本.bin', 'RETR dir with spaces/ünï 日本.bin\r\n'],
    ['PORT', '127,0,0,2,195,80', 'PORT 127,0,0,2,195,80\r\n'],
    ['STOR', ' leading space', 'STOR  leading space\r\n'],
  ])('%s %j → %j', (verb, arg, expected) => {
    expect(formatCommand(verb, arg)).toBe(expected);
  });

  it.each([
    'noop', // lower case
    'NO',
    'NOOPS',
    'NO OP',
    'RETR\r\nDELE',
    '',
    'PASS\n',
    'ÄBC',
    'AB1',
  ])('rejects the verb %j', (verb) => {
    expect(() => formatCommand(verb)).toThrow(UnsafeArgumentError);
  });

  it.each(['file\r\nDELE important', 'file\nDELE important', 'file\rDELE important', 'file\0.txt', '\r\n', 'x\u0000'])(
    'rejects the argument %j',
    (arg) => {
      expect(() => formatCommand('RETR', arg)).toThrow(UnsafeArgumentError);
    },
  );
});

describe('assertSafeArgument', () => {
  it('accepts ordinary text, tabs and unicode', () => {
    expect(() => assertSafeArgument('a b\tc ü 日本 -> ../x')).not.toThrow();
    expect(() => assertSafeArgument('')).not.toThrow();
  });

  it.each(['\r', '\n', '\0', 'a\rb', 'a\nb', 'a\0b'])('rejects %j', (arg) => {
    expect(() => assertSafeArgument(arg)).toThrow(UnsafeArgumentError);
  });
});

describe('maskCommand', () => {
  it.each([
    ['PASS secret\r\n', 'PASS ****'],
    ['PASS secret', 'PASS ****'],
    ['pass secret\r\n', 'pass ****'],
    ['Pass two words\n', 'Pass ****'],
    ['PASS\r\n', 'PASS ****'],
    ['ACCT billing-42\r\n', 'ACCT ****'],
    ['acct x', 'acct ****'],
    ['USER anonymous\r\n', 'USER anonymous'],
    ['RETR PASS secret\r\n', 'RETR PASS secret'],
    ['PASSWORD x', 'PASSWORD x'],
    ['NOOP', 'NOOP'],
    ['', ''],
    // a hostile multi-line string must not leak a second PASS
    ['USER a\r\nPASS secret\r\n', 'USER a\r\nPASS ****'],
    ['USER a\rPASS secret', 'USER a\rPASS ****'],
    ['PASS se\u2028cret', 'PASS ****'],
  ])('%j → %j', (line, expected) => {
    expect(maskCommand(line)).toBe(expected);
  });

  it('never lets the password through, whatever follows it', () => {
    for (const secret of ['hunter2', 'with space', 'tab\there', 'ü日本', 'x\u2028y']) {
      const masked = maskCommand(`PASS ${secret}\r\n`);
      expect(masked.startsWith('PASS ****')).toBe(true);
      for (const part of secret.split(/[\s\u2028]/)) expect(masked).not.toContain(part);
    }
  });
});
