import { ErrorMessage } from '../../../components/ErrorMessage.js';
import { formatBytes, percent } from '../../../lib/format.js';
import { useTransferFiles } from '../api/transfers.js';

/** The files of a directory transfer, under its row. */
export function TransferFiles({ id, running }: { id: string; running: boolean }) {
  const files = useTransferFiles(id, running);
  if (files.isPending) return <p className="muted small files-note">Loading files…</p>;
  if (files.isError) return <ErrorMessage error={files.error} prefix="Could not load the files" />;
  if (files.data.length === 0) return <p className="muted small files-note">No files in this transfer.</p>;
  return (
    <table className="files-table">
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
        {files.data.map((file) => (
          <tr key={file.id} aria-label={file.path} className={`state-${file.state}`}>
            <td className="mono ellipsis" title={file.path}>
              {file.path}
              {file.error && (
                <span className="error-text">
                  {' '}
                  — {file.error.code} {file.error.message}
                </span>
              )}
            </td>
            <td>
              <span className={`state-badge state-${file.state}`}>{file.state}</span>
            </td>
            <td>{file.mode === 'fxp' ? 'FXP' : file.mode === 'relay' ? 'relay' : '–'}</td>
            <td className="num">{formatBytes(file.size)}</td>
            <td className="num">{file.size > 0 ? `${percent(file.bytesDone, file.size)}%` : file.state === 'done' ? '100%' : '–'}</td>
            <td className="mono small">{file.verified ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
