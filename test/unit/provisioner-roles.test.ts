import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { podOrdinal, roleChanges, type PodRoleInput } from '../../tools/kubedb-provisioner/roles.ts';

/** `my-1:R:standby` = pod my-1, Ready, role standby; `D` = terminating, `-` = not Ready; no role part = none. */
function pods(...specs: string[]): PodRoleInput[] {
  return specs.map((spec) => {
    const [name, state, role] = spec.split(':');
    return { name, ordinal: podOrdinal(name), ready: state === 'R', terminating: state === 'D', role: role || undefined };
  });
}

/** The roles after applying the changes. */
function apply(input: PodRoleInput[]): Record<string, string | undefined> {
  const roles = Object.fromEntries(input.map((p) => [p.name, p.role]));
  for (const c of roleChanges(input)) roles[c.pod] = c.to;
  return roles;
}

describe('roleChanges', () => {
  const cases: [string, PodRoleInput[], Record<string, string | undefined>][] = [
    ['first election: lowest-ordinal Ready pod', pods('my-0:R', 'my-1:R', 'my-2:R'), { 'my-0': 'primary', 'my-1': 'standby', 'my-2': 'standby' }],
    ['first election: the group waits for its lowest-ordinal pod to bootstrap it', pods('my-0:-', 'my-1:R', 'my-2:-'), { 'my-0': undefined, 'my-1': undefined, 'my-2': undefined }],
    ['first election once the lowest-ordinal pod is Ready, the others not yet', pods('my-0:R', 'my-1:-', 'my-2:R'), { 'my-0': 'primary', 'my-1': 'standby', 'my-2': 'standby' }],
    ['a formed group whose roles were lost elects among the Ready pods', pods('my-0:-', 'my-1:R', 'my-2:-:standby'), { 'my-0': 'standby', 'my-1': 'primary', 'my-2': 'standby' }],
    ['nothing Ready: no primary, new pods wait without a role', pods('my-0:-', 'my-1:-'), { 'my-0': undefined, 'my-1': undefined }],
    ['a Ready primary keeps its role', pods('my-0:R:standby', 'my-1:R:primary', 'my-2:R:standby'), { 'my-0': 'standby', 'my-1': 'primary', 'my-2': 'standby' }],
    ['primary gone: lowest Ready standby promoted', pods('my-1:R:standby', 'my-2:R:standby'), { 'my-1': 'primary', 'my-2': 'standby' }],
    ['primary terminating: promoted elsewhere, terminating pod left alone', pods('my-0:D:primary', 'my-1:R:standby', 'my-2:R:standby'), { 'my-0': 'primary', 'my-1': 'primary', 'my-2': 'standby' }],
    ['primary not Ready: demoted, lowest Ready standby promoted', pods('my-0:-:primary', 'my-1:-:standby', 'my-2:R:standby'), { 'my-0': 'standby', 'my-1': 'standby', 'my-2': 'primary' }],
    ['recreated old primary (no role) comes back standby', pods('my-0:R', 'my-1:R:primary', 'my-2:R:standby'), { 'my-0': 'standby', 'my-1': 'primary', 'my-2': 'standby' }],
    ['a standby is promoted before a fresh pod of lower ordinal', pods('my-0:R', 'my-1:R:standby', 'my-2:R:standby'), { 'my-0': 'standby', 'my-1': 'primary', 'my-2': 'standby' }],
    ['new pod not yet Ready gets standby when a primary exists', pods('my-0:R:primary', 'my-1:-'), { 'my-0': 'primary', 'my-1': 'standby' }],
    ['two primaries: the lowest ordinal stays, the other is demoted', pods('my-0:R:standby', 'my-1:R:primary', 'my-2:R:primary'), { 'my-0': 'standby', 'my-1': 'primary', 'my-2': 'standby' }],
    ['only primary not Ready, nobody to take over: no primary', pods('my-0:-:primary'), { 'my-0': 'standby' }],
    ['ordinals compare as numbers', pods('my-10:R', 'my-9:R'), { 'my-10': 'standby', 'my-9': 'primary' }],
  ];
  for (const [name, input, want] of cases) {
    test(name, () => assert.deepEqual(apply(input), want));
  }

  test('never two primaries, not even between two changes: demotions come first', () => {
    const changes = roleChanges(pods('my-0:-:primary', 'my-1:R:standby'));
    assert.deepEqual(changes, [
      { pod: 'my-0', from: 'primary', to: 'standby' },
      { pod: 'my-1', from: 'standby', to: 'primary' },
    ]);
  });

  test('a pod joins as a standby only after the primary it follows is named', () => {
    assert.deepEqual(roleChanges(pods('my-0:R', 'my-1:R', 'my-2:-')), [
      { pod: 'my-0', from: undefined, to: 'primary' },
      { pod: 'my-1', from: undefined, to: 'standby' },
      { pod: 'my-2', from: undefined, to: 'standby' },
    ]);
    assert.deepEqual(roleChanges(pods('my-0:-:primary', 'my-1:R:standby', 'my-2:R')), [
      { pod: 'my-0', from: 'primary', to: 'standby' },
      { pod: 'my-1', from: 'standby', to: 'primary' },
      { pod: 'my-2', from: undefined, to: 'standby' },
    ]);
  });

  test('exactly one Ready primary whatever the input', () => {
    const states = ['R', '-', 'D'];
    const roles = ['', 'primary', 'standby'];
    for (const a of states) for (const b of states) for (const ra of roles) for (const rb of roles) {
      const input = pods(`my-0:${a}:${ra}`, `my-1:${b}:${rb}`);
      const live = input.filter((p) => !p.terminating);
      const after = apply(input);
      const primaries = live.filter((p) => after[p.name] === 'primary');
      // A group that never formed waits for its lowest-ordinal pod.
      const formed = live.some((p) => p.role);
      const expected = live.some((p) => p.ready) && (formed || live[0].ready) ? 1 : 0;
      assert.equal(primaries.length, expected, JSON.stringify(input));
      assert.ok(primaries.every((p) => p.ready), JSON.stringify(input));
    }
  });

  test('a settled set of roles needs no changes', () => {
    assert.deepEqual(roleChanges(pods('my-0:R:primary', 'my-1:R:standby', 'my-2:-:standby')), []);
  });
});
