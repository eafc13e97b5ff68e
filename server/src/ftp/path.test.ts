import { describe, it, expect } from 'vitest';
import { baseName, joinRemote, normalizeRemotePath, parentOf } from './path.js';
import { UnsafeArgumentError } from './errors.js';

describe('normalizeRemotePath', () => {
  it.each([
    ['/', '/'],
    ['//', '/'],
    ['/a', '/a'],
    ['/a/', '/a'],
    ['/a//b///c', '/a/b/c'],
    ['/./a/./b/.', '/a/b'],
    ['/a/b/../c', '/a/c'],
    ['/a/b/../../..', '/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/..', '/'],
    ['/a/.../b', '/a/.../b'],
    ['/a/..b/c..', '/a/..b/c..'],
    ['/with space/ leading/trailing ', '/with space/ leading/trailing '],
    ['/ünï/日本/🚀', '/ünï/日本/🚀'],
    ['/a\\b', '/a\\b'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeRemotePath(input)).toBe(expected);
  });

  it.each(['', 'a', 'a/b', './a', '../a', ' /a', '/a\r\nDELE /b', '/a\nb', '/a\rb', '/a\0b', '\r\n'])(
    'rejects %j',
    (input) => {
      expect(() => normalizeRemotePath(input)).toThrow(UnsafeArgumentError);
    },
  );
});

describe('joinRemote', () => {
  it.each([
    ['/', 'a', '/a'],
    ['/pub', 'file.txt', '/pub/file.txt'],
    ['/pub/', 'file.txt', '/pub/file.txt'],
    ['/pub/./x/..', 'file.txt', '/pub/file.txt'],
    ['/pub', ' leading space', '/pub/ leading space'],
    ['/pub', '...', '/pub/...'],
    ['/pub', 'ünï 日本', '/pub/ünï 日本'],
  ])('%j + %j → %j', (dir, name, expected) => {
    expect(joinRemote(dir, name)).toBe(expected);
  });

  it.each(['', '.', '..', '../x', 'a/b', '/abs', 'x\r\nDELE y', 'x\ny', 'x\ry', 'x\0y'])(
    'rejects the name %j',
    (name) => {
      expect(() => joinRemote('/pub', name)).toThrow(UnsafeArgumentError);
    },
  );

  it('rejects an unsafe directory', () => {
    expect(() => joinRemote('pub', 'a')).toThrow(UnsafeArgumentError);
    expect(() => joinRemote('/pub\r\nDELE x', 'a')).toThrow(UnsafeArgumentError);
  });
});

describe('parentOf and baseName', () => {
  it.each([
    ['/', '/', ''],
    ['/a', '/', 'a'],
    ['/a/b', '/a', 'b'],
    ['/a/b/', '/a', 'b'],
    ['/a/b/c.txt', '/a/b', 'c.txt'],
    ['/a/./b/../c', '/a', 'c'],
    ['//a//b//', '/a', 'b'],
  ])('%j → parent %j, base %j', (path, parent, base) => {
    expect(parentOf(path)).toBe(parent);
    expect(baseName(path)).toBe(base);
  });

  it('rejects relative and unsafe paths', () => {
    expect(() => parentOf('a/b')).toThrow(UnsafeArgumentError);
    expect(() => baseName('/a\nb')).toThrow(UnsafeArgumentError);
  });
});
