import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onBothEngines } from '../../test/engines.js';
import type { Db } from '../store/db.js';
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
    transitions = new Transitions(store, { now: record('now'), soon: record('soon') });
  });

  afterEach(() => {});

  function queuedTransfer(files: number): { id: string; files: FileRow[] } {
    const row = store.insertTransfer({
      name: 'tree',
      source_site: 'a',
      source_path: '/tree',
      dest_site: 'b',
      dest_dir: '/',
      requested_mode: 'auto',
      if_exists: 'overwrite',
    });
    store.insertFiles(
      row.id,
      Array.from({ length: files }, (_, i): [string, string, number] => [`/tree/${i}`, `/tree/${i}`, 100]),
    );
    transitions.walkDone(row.id);
    return { id: row.id, files: store.files(row.id) };
  }

  const version = (id: string) => store.transfer(id)!.version;

  describe('Transitions', () => {
    it('runs a transfer to done, each change written (and its version bumped) before it is announced', () => {
      const { id, files } = queuedTransfer(2);
      const versions = [version(id)];
      transitions.started(store.transfer(id)!);
      for (const file of files) {
        expect(transitions.fileStarted(file, 1)).toBe(true);
        versions.push(version(id));
        expect(transitions.settle(id)).toBe(false);
        expect(transitions.fileDone(file, { size: 100, mode: 'fxp', verified: 'size' })).toBe(true);
        versions.push(version(id));
      }
      expect(transitions.settle(id)).toBe(true);
      versions.push(version(id));

      expect(store.transfer(id)).toMatchObject({ state: 'done' });
      expect(store.counts(id)).toMatchObject({ done: 2, bytesDone: 200 });
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
      const before = version(id);
      transitions.requeueInterrupted();
      expect(store.file(files[0]!.id)!.state).toBe('queued');
      expect(version(id)).toBeGreaterThan(before);
    });
  });
});
