/**
 * What each Debian server's refusal of FXP looks like, provoked for real (servers on 127.0.0.2
 * and 127.0.0.3, the client on 127.0.0.1, FXP switched off in one role or both), and that the
 * diagnosis names that server's own switch for it. A forced-FXP copy tries both passive sides:
 * the refusal it ends with is the second try's, source passive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFile } from '../src/ftp/copy.js';
import { diagnoseRefusal, identifyServer, refusalOf } from '../src/ftp/diagnosis.js';
import { FxpRefusedError } from '../src/ftp/fxp.js';
import { recordingSlot, seededBytes } from './fixtures.js';
import {
  skipWithout,
  startEmbedded,
  startProftpd,
  startPureFtpd,
  startVsftpd,
  type RunningFtpServer,
  type StartFtpServerOptions,
} from './servers/index.js';

type Start = (options: StartFtpServerOptions) => Promise<RunningFtpServer>;
type Switches = StartFtpServerOptions['allowFxp'];

/** Connects out (PORT to another host) but takes no foreign passive connection, and the reverse. */
const ACTIVE_ONLY = { activeToForeign: true, passiveFromForeign: false };
const PASSIVE_ONLY = { activeToForeign: false, passiveFromForeign: true };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Copy by forced FXP between the two, and return the refusal, the refusing side's kind and the hint. */
async function refusal(source: [Start, Switches], destination: [Start, Switches]) {
  const a = await source[0]({
    address: '127.0.0.2',
    allowFxp: source[1],
    files: { 'f.bin': seededBytes(100_000, 11) },
  });
  cleanup.push(() => a.stop());
  const b = await destination[0]({ address: '127.0.0.3', allowFxp: destination[1] });
  cleanup.push(() => b.stop());
  const slots = { source: recordingSlot(a), destination: recordingSlot(b), probe: recordingSlot(b) };
  cleanup.push(async () => void (await Promise.all(Object.values(slots).map((slot) => slot.close()))));
  const failure = await copyFile({
    ...slots,
    sourcePath: '/f.bin',
    destinationPath: '/f.bin',
    mode: 'fxp',
    stallTimeoutMs: 8_000,
    finalReplyTimeoutMs: 4_000,
  }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(FxpRefusedError);
  const refused = refusalOf(failure as FxpRefusedError);
  const kind = identifyServer((await slots[refused.side].acquire()).greeting);
  return { refused, kind, hint: diagnoseRefusal(refused, kind) };
}

describe.skipIf(skipWithout('vsftpd'))('vsftpd', () => {
  it('port_promiscuous=NO: 500 Illegal PORT command → port_promiscuous=YES', async () => {
    const { refused, kind, hint } = await refusal([startVsftpd, PASSIVE_ONLY], [startVsftpd, PASSIVE_ONLY]);
    expect(refused).toMatchObject({ phase: 'port', code: 500, text: 'Illegal PORT command.' });
    expect(kind).toBe('vsftpd');
    expect(hint).toMatch(/port_promiscuous=YES/);
  });

  it('pasv_promiscuous=NO: 425 Security: Bad IP connecting → pasv_promiscuous=YES', async () => {
    const { refused, kind, hint } = await refusal([startVsftpd, ACTIVE_ONLY], [startVsftpd, ACTIVE_ONLY]);
    expect(refused).toMatchObject({ phase: 'transfer', code: 425, text: 'Security: Bad IP connecting.' });
    expect(kind).toBe('vsftpd');
    expect(hint).toMatch(/pasv_promiscuous=YES/);
  });
});

describe.skipIf(skipWithout('proftpd'))('ProFTPD', () => {
  it('AllowForeignAddress off, PORT: 500 Illegal PORT command → AllowForeignAddress on', async () => {
    const { refused, kind, hint } = await refusal([startProftpd, false], [startProftpd, false]);
    expect(refused).toMatchObject({ phase: 'port', code: 500, text: 'Illegal PORT command' });
    expect(kind).toBe('proftpd');
    expect(hint).toMatch(/AllowForeignAddress on/);
  });

  it('AllowForeignAddress off, passive side: 425 Unable to build data connection → AllowForeignAddress on', async () => {
    const { refused, kind, hint } = await refusal([startProftpd, false], [startEmbedded, ACTIVE_ONLY]);
    expect(refused).toMatchObject({ phase: 'transfer', side: 'source', code: 425 });
    expect(refused.text).toMatch(/^Unable to build data connection: /);
    expect(kind).toBe('proftpd');
    expect(hint).toMatch(/AllowForeignAddress on/);
  });
});

describe.skipIf(skipWithout('pure-ftpd'))('pure-ftpd', () => {
  it('without -w/-W, PORT: 500 I won’t open a connection → -w (--allowuserfxp)', async () => {
    const { refused, kind, hint } = await refusal([startPureFtpd, false], [startPureFtpd, false]);
    expect(refused).toMatchObject({ phase: 'port', code: 500 });
    expect(refused.text).toMatch(/^I won't open a connection to 127\.0\.0\.2 \(only to 127\.0\.0\.1\)/);
    expect(kind).toBe('pure-ftpd');
    expect(hint).toMatch(/-w \(--allowuserfxp/);
  });

  it('without -w/-W, passive side: silence → -w (--allowuserfxp)', async () => {
    const { refused, kind, hint } = await refusal([startPureFtpd, false], [startEmbedded, ACTIVE_ONLY]);
    expect(refused).toMatchObject({ phase: 'transfer', side: 'source' });
    expect(refused.code).toBeUndefined();
    expect(kind).toBe('pure-ftpd');
    expect(hint).toMatch(/answers nothing.*-w \(--allowuserfxp/);
  });
});
