import assert from 'node:assert/strict';
import { test } from 'node:test';
import { turnOf, type QueuedRequest } from '../../model/queue.ts';

const req = (name: string, type: string, phase: QueuedRequest['phase'], minute: number): QueuedRequest => ({
  name,
  type,
  phase,
  created: `2026-11-25T10:${String(minute).padStart(2, '0')}:00Z`,
});

const cases: { name: string; me: string; requests: QueuedRequest[]; turn: ReturnType<typeof turnOf> }[] = [
  { name: 'alone: runs', me: 'a', requests: [req('a', 'ReconfigureTLS', undefined, 1)], turn: { action: 'run' } },
  {
    name: 'another request is Progressing: waits behind it',
    me: 'b',
    requests: [req('a', 'Reconfigure', 'Progressing', 1), req('b', 'ReconfigureTLS', undefined, 2)],
    turn: { action: 'wait', behind: 'a' },
  },
  {
    name: 'an older request of another type is waiting: waits behind it (oldest first)',
    me: 'b',
    requests: [req('a', 'Reconfigure', 'Pending', 1), req('b', 'ReconfigureTLS', undefined, 2)],
    turn: { action: 'wait', behind: 'a' },
  },
  {
    name: 'the older of two waiting requests of one type is skipped for the newest',
    me: 'a',
    requests: [req('a', 'ReconfigureTLS', 'Pending', 1), req('b', 'ReconfigureTLS', 'Pending', 2), req('c', 'ReconfigureTLS', 'Pending', 3)],
    turn: { action: 'skip', supersededBy: 'c' },
  },
  {
    name: 'a newer request of its type not yet admitted (it may still be refused) does not supersede: the older runs',
    me: 'a',
    requests: [req('a', 'ReconfigureTLS', 'Pending', 1), req('b', 'ReconfigureTLS', undefined, 2)],
    turn: { action: 'run' },
  },
  {
    name: 'the newest of its type runs once the older ones are passed over',
    me: 'c',
    requests: [req('a', 'ReconfigureTLS', 'Pending', 1), req('b', 'ReconfigureTLS', 'Pending', 2), req('c', 'ReconfigureTLS', undefined, 3)],
    turn: { action: 'run' },
  },
  {
    name: 'a superseded request is skipped even while another one runs',
    me: 'b',
    requests: [req('x', 'Reconfigure', 'Progressing', 0), req('b', 'ReconfigureTLS', 'Pending', 2), req('c', 'ReconfigureTLS', 'Pending', 3)],
    turn: { action: 'skip', supersededBy: 'c' },
  },
  {
    name: 'the newest of its type still waits while another one runs',
    me: 'c',
    requests: [req('x', 'Reconfigure', 'Progressing', 0), req('b', 'ReconfigureTLS', 'Pending', 2), req('c', 'ReconfigureTLS', undefined, 3)],
    turn: { action: 'wait', behind: 'x' },
  },
  {
    name: 'finished requests do not count',
    me: 'b',
    requests: [req('a', 'ReconfigureTLS', 'Successful', 1), req('x', 'Reconfigure', 'Failed', 1), req('s', 'ReconfigureTLS', 'Skipped', 1), req('b', 'ReconfigureTLS', undefined, 2)],
    turn: { action: 'run' },
  },
  {
    name: 'a request already Progressing goes on, even with a newer one of its type waiting',
    me: 'a',
    requests: [req('a', 'ReconfigureTLS', 'Progressing', 1), req('b', 'ReconfigureTLS', 'Pending', 2)],
    turn: { action: 'run' },
  },
  {
    name: 'the same creation time: the name decides the order',
    me: 'b',
    requests: [req('b', 'Reconfigure', undefined, 1), req('a', 'ReconfigureTLS', undefined, 1)],
    turn: { action: 'wait', behind: 'a' },
  },
];

for (const c of cases) {
  test(c.name, () => assert.deepEqual(turnOf(c.me, c.requests), c.turn));
}

test('every request computes the same head: exactly one of the open ones may run', () => {
  const running = (requests: QueuedRequest[]) => requests.filter((r) => turnOf(r.name, requests).action === 'run').map((r) => r.name);
  // Every request admitted: the newest of the oldest type.
  assert.deepEqual(running([req('a', 'Reconfigure', 'Pending', 1), req('b', 'ReconfigureTLS', 'Pending', 2), req('c', 'Reconfigure', 'Pending', 3), req('d', 'ReconfigureTLS', 'Pending', 4)]), ['c']);
  // The two newest not yet marked admitted (each counts itself, the others do not count it): still one.
  assert.deepEqual(running([req('a', 'Reconfigure', 'Pending', 1), req('b', 'ReconfigureTLS', 'Pending', 2), req('c', 'Reconfigure', undefined, 3), req('d', 'ReconfigureTLS', undefined, 4)]), ['a']);
});
