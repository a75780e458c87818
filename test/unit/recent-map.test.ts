import assert from 'node:assert/strict';
import test from 'node:test';
import { RecentMap } from '../../platform/recent-map.ts';

test('RecentMap keeps the entries set most recently: setting one again makes it the newest; past the limit the oldest goes', () => {
  const m = new RecentMap<string, number>(2);
  m.set('a', 1).set('b', 2).set('a', 3); // a is now the newest
  m.set('c', 4);
  assert.deepEqual([...m], [['a', 3], ['c', 4]]);
});
