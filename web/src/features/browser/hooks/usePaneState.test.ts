import { describe, it, expect } from 'vitest';
import { emptySelection } from '../../../lib/selection.js';
import { paneReducer, type PaneState } from './usePaneState.js';

const start: PaneState = {
  siteId: 'a',
  path: '/pub/releases',
  sort: { key: 'name', dir: 'asc' },
  filter: 'iso',
  selection: { selected: new Set(['x']), anchor: 'x', cursor: 'x' },
  lastPaths: {},
};

describe('paneReducer', () => {
  it('remembers where each site was left', () => {
    const onB = paneReducer(start, { type: 'site', siteId: 'b' });
    expect(onB.path).toBe('/');
    expect(onB.filter).toBe('');
    expect(onB.selection).toBe(emptySelection);
    const backOnA = paneReducer({ ...onB, path: '/incoming' }, { type: 'site', siteId: 'a' });
    expect(backOnA.path).toBe('/pub/releases');
    expect(paneReducer(backOnA, { type: 'site', siteId: 'b' }).path).toBe('/incoming');
  });

  it('going up puts the cursor on the folder it came from, without selecting it', () => {
    const up = paneReducer(start, { type: 'navigate', path: '/pub', focus: 'releases' });
    expect(up.selection.cursor).toBe('releases');
    expect(up.selection.selected.size).toBe(0);
    expect(up.filter).toBe('');
  });

  it('a second click on the sorted column reverses it; another column starts ascending', () => {
    const desc = paneReducer(start, { type: 'sort', key: 'name' });
    expect(desc.sort).toEqual({ key: 'name', dir: 'desc' });
    expect(paneReducer(desc, { type: 'sort', key: 'size' }).sort).toEqual({ key: 'size', dir: 'asc' });
  });
});
