import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import type { TransferFile } from '../../../../../contract/index.js';
import { ErrorMessage } from '../../../components/ErrorMessage.js';
import { formatBytes, percent, plural } from '../../../lib/format.js';
import { useTransferFiles } from '../api/transfers.js';

/** Fixed by panels.css (.files-scroll): the virtualiser places rows by these, it does not measure. */
const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 26;
/** Ask for the next page this many rows before the end of what is loaded. */
const PREFETCH_ROWS = 100;

/**
 * The files of a directory transfer, under its row: paged from the server as the list
 * scrolls and virtualised (only the rows in view are in the DOM), so a 100 000-file tree
 * opens as fast as a small one. A table with spacer rows above and below the visible ones.
 */
export interface TransferFilesProps {
  id: string;
  name: string;
  running: boolean;
  /** The transfer's file count (rows not loaded yet included). */
  total: number;
}

export function TransferFiles({ id, name, running, total }: TransferFilesProps) {
  const files = useTransferFiles(id, running);
  const rows = useMemo(() => files.data?.pages.flatMap((page) => page.files) ?? [], [files.data]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    scrollMargin: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = files;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - PREFETCH_ROWS) void fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (files.isPending) return <p className="muted small files-note">Loading files…</p>;
  if (files.isError) return <ErrorMessage error={files.error} prefix="Could not load the files" />;
  if (rows.length === 0) return <p className="muted small files-note">No files in this transfer.</p>;
  const paddingTop = items.length > 0 ? items[0]!.start - HEADER_HEIGHT : 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - (items.at(-1)!.end - HEADER_HEIGHT) : 0;
  return (
    <>
      {/* Focusable: the list scrolls from the keyboard too. */}
      <div ref={scrollRef} className="files-scroll" role="region" aria-label={`Files of ${name}`} tabIndex={0}>
        <table className="files-table" aria-rowcount={Math.max(total, rows.length) + 1}>
          <caption className="sr-only">Files</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">State</th>
              <th scope="col">Mode</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col" className="num">
                Done
              </th>
              <th scope="col">Verified</th>
            </tr>
          </thead>
          <tbody>
            {paddingTop > 0 && <Spacer height={paddingTop} />}
            {items.map((item) => (
              <FileRow key={rows[item.index]!.id} file={rows[item.index]!} index={item.index} />
            ))}
            {paddingBottom > 0 && <Spacer height={paddingBottom} />}
          </tbody>
        </table>
      </div>
      <p className="muted small files-note" aria-live="polite">
        {hasNextPage || isFetchingNextPage
          ? `${rows.length} of ${plural(Math.max(total, rows.length), 'file')} loaded — scroll for more`
          : plural(rows.length, 'file')}
      </p>
    </>
  );
}

function Spacer({ height }: { height: number }) {
  return (
    <tr className="files-spacer" aria-hidden="true" style={{ height }}>
      <td colSpan={6} />
    </tr>
  );
}

function FileRow({ file, index }: { file: TransferFile; index: number }) {
  return (
    <tr aria-label={file.path} aria-rowindex={index + 2} className={`state-${file.state}`}>
      <td
        className="mono ellipsis"
        title={file.error ? `${file.path} — ${file.error.message} (code: ${file.error.code})` : file.path}
      >
        {file.path}
        {file.error && <span className="error-text"> — {file.error.message}</span>}
      </td>
      <td>
        <span className={`state-badge state-${file.state}`}>{file.state}</span>
      </td>
      <td>{file.mode === 'fxp' ? 'FXP' : file.mode === 'relay' ? 'relay' : '–'}</td>
      <td className="num">{formatBytes(file.size)}</td>
      <td className="num">
        {file.size > 0 ? `${percent(file.bytesDone, file.size)}%` : file.state === 'done' ? '100%' : '–'}
      </td>
      <td className="mono small ellipsis">{file.verified ?? '–'}</td>
    </tr>
  );
}
