import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onBothEngines } from '../../test/engines.js';
import { insertTree } from '../../test/trees.js';
import { groupCommit, type Db } from '../store/db.js';
import { TransferStore, type FileRow } from './store.js';
import { ConflictError } from '../errors.js';
import { Transitions } from './transitions.js';

onBothEngines((open) => {
  let db: Db;
  let store: TransferStore;
  /** What each announcement saw in the store: written before announced. */
  let announced: { when: 'now' | 'soon'; state: string | undefined; version: number | undefined }[];
  let transitions: Transitions;

  beforeEach(() => {
    db = open();
    store = new TransferStore(db);
    announced = [];
    const record = (when: 'now' | 'soon') => (id: string) => {
      const row = store.transfer(id);
      announced.push({ when, state: row?.state, version: row?.version });
    };
    transitions = new Transitions(store, { now: record('now'), soon: record('soon') }, groupCommit(db));
  });

  afterEach(() => {});

  function queuedTransfer(files: number): { id: string; files: FileRow[] } {
    const tree = insertTree(store, files);
    transitions.walkDone(tree.id);
    return tree;
  }

  const version = (id: string) => store.transfer(id)!.version;

  describe('Transitions', () => {
    it('runs a transfer to done, each change written (and its version bumped) before it is announced', () => {
      const { id, files } = queuedTransfer(2);
      const versions = [version(id)];
      transitions.started(store.transfer(id)!);
      for (const file of files) {
        expect(transitions.fileStarted(file, 1)).toBe(true);
        groupCommit(db).writeDeferred(); // as every reader does first
        expect(store.file(file.id)).toMatchObject({ state: 'running', attempts: 1 });
        versions.push(version(id));
        expect(transitions.settle(id)).toBe(false);
        expect(transitions.fileDone(file, { size: 100, mode: 'fxp', verified: 'size' })).toBe(true);
        versions.push(version(id));
      }
      expect(transitions.settle(id)).toBe(true);
      versions.push(version(id));

      expect(store.transfer(id)).toMatchObject({ state: 'done' });
      expect(store.counts(id)).toMatchObject({ done: 2, running: 0, queued: 0, bytesDone: 200 });
      for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
      expect(announced.map((a) => `${a.when}:${a.state}`)).toEqual([
        'now:running',
        'soon:running',
        'soon:running',
        'soon:running',
        'soon:running',
        'now:done',
      ]);
      expect(announced.at(-1)!.version).toBe(version(id));
    });

    it('writes a file that ends before anyone reads its claim once, queued → done, and keeps a second claim off it', () => {
      const { id, files } = queuedTransfer(2);
      const [file, other] = files as [FileRow, FileRow];
      transitions.started(store.transfer(id)!);
      const before = version(id);
      expect(transitions.fileStarted(file, 1)).toBe(true);
      expect(store.file(file.id)!.state).toBe('queued'); // the claim waits for a reader
      expect(transitions.fileStarted(file, 1)).toBe(false); // a second lane reading the row as queued
      expect(transitions.fileDone(file, { size: 100, mode: 'fxp', verified: 'size' })).toBe(true);
      groupCommit(db).writeDeferred(); // the claim's write, come too late, changes nothing
      expect(store.file(file.id)).toMatchObject({ state: 'done', attempts: 1, bytes_done: 100 });
      expect(version(id)).toBe(before + 1);
      expect(store.counts(id)).toMatchObject({ done: 1, queued: 1, running: 0 });
      // Not queued any more: refused, whoever moved it owns it.
      expect(transitions.fileStarted(file, 2)).toBe(false);
      // A claim lost before it was written (the file taken meanwhile) ends writing nothing.
      expect(transitions.fileStarted(other, 1)).toBe(true);
      store.changeFilesState(id, ['queued'], 'cancelled');
      groupCommit(db).writeDeferred();
      expect(transitions.fileDone(other, { size: 100, mode: 'fxp', verified: 'size' })).toBe(false);
      expect(store.file(other.id)).toMatchObject({ state: 'cancelled', attempts: 0 });
    });

    it('puts an unwritten claim back as it was when the copy is interrupted, its attempt not counted', () => {
      const { files } = queuedTransfer(1);
      const file = files[0]!;
      expect(transitions.fileStarted(file, 1)).toBe(true);
      expect(transitions.fileInterrupted(file, 1)).toBe(true);
      expect(store.file(file.id)).toMatchObject({ state: 'queued', attempts: 0 });
      expect(transitions.fileStarted(file, 1)).toBe(true); // free to be claimed again
    });

    it('refuses the user a transition from the wrong state with ConflictError, writing nothing', () => {
      const { id } = queuedTransfer(1);
      expect(() => transitions.retry(id)).toThrow(new ConflictError('transfer is queued'));
      transitions.cancel(id);
      const cancelled = version(id);
      expect(() => transitions.cancel(id)).toThrow(new ConflictError('transfer is already cancelled'));
      expect(version(id)).toBe(cancelled);
      expect(announced.map((a) => `${a.when}:${a.state}`)).toEqual(['now:cancelled']);
    });

    it('drops a late write of a copy whose file a newer transition took over', () => {
      const { id, files } = queuedTransfer(1);
      const file = files[0]!;
      transitions.started(store.transfer(id)!);
      transitions.fileStarted(file, 1);
      transitions.cancel(id); // the copy is aborted and winds down…
      expect(transitions.fileAborted(file, 40)).toBe(true);
      expect(store.file(file.id)).toMatchObject({ state: 'cancelled', bytes_done: 40 });
      expect(transitions.settle(id)).toBe(false); // cancelled already: nothing to settle
      const before = { file: store.file(file.id), version: version(id), announced: announced.length };

      // …and a second end of the same copy (a stuck promise settling late) changes nothing.
      expect(transitions.fileDone(file, { size: 100, mode: 'fxp', verified: 'size' })).toBe(false);
      expect(transitions.fileFailed(file, { code: 'timeout', message: 'late' }, 90)).toBe(false);
      expect(store.file(file.id)).toEqual(before.file);
      expect(version(id)).toBe(before.version);
      expect(announced).toHaveLength(before.announced);
    });

    it('runs a copy again that was aborted after its transfer was already retried', () => {
      const { id, files } = queuedTransfer(2);
      const [running, waiting] = files as [FileRow, FileRow];
      transitions.started(store.transfer(id)!);
      transitions.fileStarted(running, 1);
      transitions.cancel(id);
      expect(store.file(waiting.id)!.state).toBe('cancelled');
      transitions.retry(id);
      expect(store.file(waiting.id)!.state).toBe('queued');
      expect(transitions.fileAborted(running, 10)).toBe(true);
      expect(store.file(running.id)!.state).toBe('queued');
      expect(store.transfer(id)).toMatchObject({ state: 'queued', expanded: 0, finished_at: null });
    });

    it('queues again what a crash left running, bumping its transfer’s version', () => {
      const { id, files } = queuedTransfer(1);
      transitions.fileStarted(files[0]!, 1);
      groupCommit(db).writeDeferred(); // someone looked: the claim reads running
      const before = version(id);
      transitions.requeueInterrupted();
      expect(store.file(files[0]!.id)!.state).toBe('queued');
      expect(version(id)).toBeGreaterThan(before);
    });
  });
});
