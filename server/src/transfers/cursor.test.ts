import { beforeEach, describe, expect, it } from 'vitest';
import { onBothEngines } from '../../test/engines.js';
import { insertTree } from '../../test/trees.js';
import { FileCursor } from './cursor.js';
import { TransferStore, type FileRow } from './store.js';

onBothEngines((open) => {
  let store: TransferStore;
  let transferId: string;
  let files: FileRow[];
  /** The files copies work on now: their rows still read queued (a claim not written yet). */
  let copying: Set<string>;

  beforeEach(() => {
    store = new TransferStore(open());
    // More than two read-aheads, so batches, the end and the wrap-around all happen.
    ({ id: transferId, files } = insertTree(store, 600));
    copying = new Set();
  });

  const cursor = () => new FileCursor(store, transferId, (id) => copying.has(id));

  describe('FileCursor', () => {
    it('hands out every ready file once, in order, and none that a copy works on', () => {
      for (const file of files.slice(0, 300)) copying.add(file.id);
      const taken: string[] = [];
      const reader = cursor();
      for (let file = reader.next(); file; file = reader.next()) {
        taken.push(file.source_path);
        copying.add(file.id);
      }
      expect(taken).toEqual(files.slice(300).map((f) => f.source_path));
    });

    it('says nothing is ready when every queued file is being copied, without reading them again and again', () => {
      for (const file of files) copying.add(file.id);
      const reader = cursor();
      expect(reader.ready()).toBe(0);
      expect(reader.next()).toBeUndefined();
    });

    it('comes back once past the end for files ready again behind it', () => {
      const reader = cursor();
      for (let file = reader.next(); file; file = reader.next()) copying.add(file.id);
      // Two copies were put back (their rows read queued all along) and are not copied now.
      copying.delete(files[10]!.id);
      copying.delete(files[450]!.id);
      const again: string[] = [];
      for (let file = reader.next(); file; file = reader.next()) {
        again.push(file.source_path);
        copying.add(file.id);
      }
      expect(again).toEqual(['/tree/10', '/tree/450']);
    });
  });
});
