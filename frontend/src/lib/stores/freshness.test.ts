import { describe, expect, it } from 'vitest';
import { Freshness } from './freshness';

type Item = { id: number; v: string };
const key = (i: Item) => i.id;

describe('freshness', () => {
  it('the last read begun is the one that answers', () => {
    const f = new Freshness<number>();
    const a = f.begin();
    const b = f.begin();
    expect(f.last(a)).toBe(false);
    expect(f.last(b)).toBe(true);
    f.reset();
    expect(f.last(b)).toBe(false);
  });

  it('a read keeps what was changed, removed or added here after it began', () => {
    const f = new Freshness<number>();
    const t = f.begin();
    f.touch(1); // refreshed: now "new"
    f.touch(2); // removed
    f.touch(4); // created
    const read = [{ id: 1, v: 'old' }, { id: 2, v: 'old' }, { id: 3, v: 'read' }];
    const now = [{ id: 1, v: 'new' }, { id: 3, v: 'before' }, { id: 4, v: 'created' }];
    expect(f.merge(read, now, t, key)).toEqual([{ id: 1, v: 'new' }, { id: 3, v: 'read' }, { id: 4, v: 'created' }]);
  });

  it('a read begun after a change takes the read as it is', () => {
    const f = new Freshness<number>();
    f.touch(1);
    const t = f.begin();
    expect(f.merge([{ id: 1, v: 'read' }], [{ id: 1, v: 'now' }, { id: 2, v: 'gone' }], t, key)).toEqual([{ id: 1, v: 'read' }]);
  });
});
