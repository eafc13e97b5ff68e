/**
 * How a copy ends when a server answered with its policy (ftp/policy.ts) rather than a
 * fault: a dupe is skipped, a full destination pauses its queue, one login too many makes the
 * file wait for a session, a slow transfer is tried once more. Backoff and retries, made for
 * faults, would fail every file of a tree on a full disk, or keep knocking on a site that
 * counts logins.
 */
import { describeError } from '../errors.js';
import { policyOf, replyWords } from '../ftp/policy.js';
import { LoginLimitError } from '../sites/pool.js';
import type { FileRow } from './store.js';
import type { TransferService } from './service.js';
import type { Transitions } from './transitions.js';

export interface PolicyEnding {
  transitions: Transitions;
  service: TransferService;
  /** How long a file put back for want of a session waits before it may run again. */
  waitMs: number;
}

/** The two sites of the copy. */
export interface CopySites {
  source: { id: string; name: string };
  destination: { id: string; name: string };
}

/**
 * End a failed copy by the policy its error states: 'ended' when the file's row says how,
 * 'yield' when also its lane should stop (the destination paused, or the site has too many
 * sessions); null when it is no policy reply (or none acted on from that side).
 */
export function endByPolicy(
  deps: PolicyEnding,
  file: FileRow,
  attempts: number,
  error: unknown,
  sites: CopySites,
  position: number,
): 'ended' | 'yield' | null {
  const reply = policyOf(error);
  if (!reply) return null;
  const words = replyWords(reply);
  const onDestination = reply.side === 'destination';
  switch (reply.kind) {
    case 'dupe':
      // Our own partial file, refused for a resume, is no dupe: skipping it would keep it cut short.
      if (!onDestination || file.started) return null;
      deps.transitions.fileSkipped(file);
      deps.service.addNote(file.transfer_id, `${file.source_path}: skipped, the destination already has it (${words})`);
      return 'ended';
    case 'disk-full':
    case 'no-slaves': {
      if (!onDestination) return null;
      const why =
        reply.kind === 'disk-full'
          ? `is out of space — ${words}; free space and press Resume`
          : `has no transfer slave free — ${words}; press Resume once it has one`;
      deps.transitions.filePutBack(file, attempts, null);
      deps.service.pauseDestination(sites.destination.id, `paused: ${sites.destination.name} ${why}`);
      return 'yield';
    }
    case 'too-many-logins': {
      if (!(error instanceof LoginLimitError)) return null;
      const site = error.siteId === sites.source.id ? sites.source : sites.destination;
      deps.transitions.filePutBack(file, attempts, new Date(Date.now() + deps.waitMs));
      // Worded by the new limit, not the file: one note per drop (addNote keeps one per gist).
      deps.service.addNote(
        file.transfer_id,
        `${site.name} takes fewer sessions than configured: at most ${error.limit} for now (${words})`,
      );
      return 'yield';
    }
    case 'slow': {
      const failure = { code: 'slow_transfer', message: describeError(error).message };
      // The last attempt was cut as slow too (its code stays on the row until the file ends).
      if (file.error_code === 'slow_transfer') {
        deps.transitions.fileFailed(file, failure, position);
        return 'ended';
      }
      deps.transitions.fileRetryLater(file, failure, new Date());
      deps.service.addNote(file.transfer_id, `${file.source_path}: ${failure.message}; trying once more`);
      return 'ended';
    }
  }
}
