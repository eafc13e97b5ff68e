import { describe, expect, it } from 'vitest';
import type { Site } from '../../../../../contract/index.js';
import { demoNote } from './demoNote.js';

const site = (over: Partial<Site>): Site => ({
  id: '1',
  name: 'alpha',
  host: '127.0.0.1',
  port: 40021,
  user: 'demo',
  tls: 'none',
  fingerprint256: null,
  maxConnections: 4,
  passive: 'auto',
  relayAllowed: true,
  allowClearData: false,
  pasvAddress: 'control',
  pret: 'auto',
  hasPassword: true,
  createdAt: '',
  updatedAt: '',
  ...over,
});

describe('demoNote', () => {
  it("shows a demo site's login and an lftp command", () => {
    expect(demoNote(site({ demo: { user: 'demo', password: 'pw1' } }))).toEqual({
      text: 'Demo server — user demo / password pw1. Try it with lftp or FlashFXP too:',
      command: 'lftp -u demo,pw1 ftp://127.0.0.1:40021',
    });
    expect(demoNote(site({ host: '::1', demo: { user: 'demo', password: 'p' } }))?.command).toBe(
      'lftp -u demo,p ftp://[::1]:40021',
    );
  });

  it('says nothing for any other site', () => {
    expect(demoNote(site({}))).toBeNull();
  });
});
