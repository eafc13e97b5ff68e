import { useCallback, useState } from 'react';
import type { IfExists, TransferMode } from '../../../../../contract/index.js';

/** "ask" is the dashboard's own choice: look at the destination first and ask on conflict. */
export type IfExistsChoice = IfExists | 'ask';

export interface TransferOptions {
  mode: TransferMode;
  ifExists: IfExistsChoice;
}

const STORAGE_KEY = 'pasv.transferOptions';
const modes: readonly TransferMode[] = ['auto', 'fxp', 'relay'];
const ifExistsChoices: readonly IfExistsChoice[] = ['ask', 'overwrite', 'skip', 'resume'];

function load(): TransferOptions {
  const options: TransferOptions = { mode: 'auto', ifExists: 'ask' };
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<TransferOptions> | null;
    if (saved?.mode && modes.includes(saved.mode)) options.mode = saved.mode;
    if (saved?.ifExists && ifExistsChoices.includes(saved.ifExists)) options.ifExists = saved.ifExists;
  } catch {
    // Defaults.
  }
  return options;
}

export function useTransferOptions() {
  const [options, setOptions] = useState<TransferOptions>(load);
  const update = useCallback((patch: Partial<TransferOptions>) => {
    setOptions((current) => {
      const next = { ...current, ...patch };
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // Not persisted; still applies to this page.
      }
      return next;
    });
  }, []);
  return [options, update] as const;
}
