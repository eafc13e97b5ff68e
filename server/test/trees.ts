/** A transfer of small files put straight into a store, for the queue's own tests. */
import type { FileRow, TransferStore } from '../src/transfers/store.js';

/** A transfer of `count` files of 100 bytes (/tree/0, /tree/1, …), queued; its files in seq order. */
export function insertTree(store: TransferStore, count: number): { id: string; files: FileRow[] } {
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
    Array.from({ length: count }, (_, i): [string, string, number] => [`/tree/${i}`, `/tree/${i}`, 100]),
  );
  return { id: row.id, files: store.files(row.id) };
}
