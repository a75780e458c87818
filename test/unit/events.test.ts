import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pauseEvents, resumeEvents, statusEvents, turnEvents, type EventContext } from '../../model/events.ts';

const c: EventContext = { opsKind: 'MySQLOpsRequest', namespace: 'demo', opsName: 'myops-add-tls', dbKind: 'MySQL', dbName: 'mysql', type: 'ReconfigureTLS' };
const one = (type: string, status: 'True' | 'False', message = '') => statusEvents(c, { conditions: [{ type, status, message }] });

describe('events in KubeDB\'s words', () => {
  test('the start, pausing and resuming read as KubeDB writes them', () => {
    assert.deepEqual(turnEvents(c, 'Progressing'), [{ type: 'Normal', reason: 'Starting', action: 'Start', on: ['OpsRequest'], message: 'Start processing for MySQLOpsRequest: demo/myops-add-tls' }]);
    assert.equal(pauseEvents.pausing(c).message, 'Pausing MySQL database: demo/mysql');
    assert.equal(pauseEvents.paused(c).message, 'Successfully paused MySQL database: demo/mysql for MySQLOpsRequest: myops-add-tls');
    assert.deepEqual([pauseEvents.pausing(c).reason, pauseEvents.paused(c).reason], ['Starting', 'Successful']);
    assert.deepEqual(pauseEvents.paused(c).on, ['OpsRequest', 'Database']);
    assert.equal(resumeEvents.resumed('MySQL', 'demo', 'mysql').message, 'Successfully resumed MySQL database: demo/mysql');
    assert.deepEqual(resumeEvents.resuming('MySQL', 'demo', 'mysql').on, ['Database']);
  });

  test('a waiting request says which one it waits for', () => {
    assert.equal(turnEvents(c, 'Pending', 'first')[0].message, 'Waiting for MySQLOpsRequest demo/first on MySQL demo/mysql to finish');
  });

  test('a step done: its condition type is the reason, on the OpsRequest and the database', () => {
    const [e] = one('CertificateSynced', 'True', 'fit to serve: mysql-server-cert ✓');
    assert.deepEqual(e, { type: 'Normal', reason: 'CertificateSynced', action: 'CertificateSynced', on: ['OpsRequest', 'Database'], message: 'Successfully synced all certificates: fit to serve: mysql-server-cert ✓' });
    assert.equal(one('RestartPods', 'True', '3 pods restarted')[0].message, 'Successfully restarted MySQL pods for MySQLOpsRequest: demo/myops-add-tls: 3 pods restarted');
    assert.equal(one('UpdatePetSets', 'True', 'x')[0].message, 'Successfully reconciled the MySQL PetSet with TLS: x');
  });

  test('each pod: chosen (Starting, "Restarting Pod"), evicted, back and Ready', () => {
    assert.deepEqual(one('GetPod--mysql-0', 'True', 'mysql-0 (primary, last) is next')[0], { type: 'Normal', reason: 'Starting', action: 'RestartPod', on: ['OpsRequest', 'Database'], message: 'Restarting Pod: demo/mysql-0 (primary, last)' });
    assert.equal(one('EvictPod--mysql-0', 'True', 'mysql-0: evicted')[0].message, 'Evicted Pod: demo/mysql-0');
    assert.equal(one('EvictPod--mysql-0', 'True', 'mysql-0: deleted')[0].message, 'Deleted crash-looping Pod: demo/mysql-0');
    assert.equal(one('EvictPod--mysql-0', 'True', 'mysql-0: evicted')[0].reason, 'EvictPod--mysql-0');
    assert.equal(one('CheckPodRunning--mysql-0', 'True', 'mysql-0 is Ready (new uid 123)')[0].message, 'Pod demo/mysql-0 is running and Ready (new uid 123)');
  });

  test('a failed step is a Warning with its error; the end says Successful, Failed or Skipped', () => {
    assert.deepEqual(one('EvictPod--mysql-2', 'False', 'did not finish within 5s (spec.timeout)')[0], { type: 'Warning', reason: 'EvictPod--mysql-2', action: 'RestartPod', on: ['OpsRequest', 'Database'], message: 'did not finish within 5s (spec.timeout)' });
    assert.equal(one('Successful', 'True', 'done')[0].message, 'Successfully reconfigured MySQL TLS for MySQLOpsRequest: demo/myops-add-tls: done');
    assert.deepEqual(one('Failed', 'True', 'Evict mysql-2 failed')[0], { type: 'Warning', reason: 'Failed', action: 'Finish', on: ['OpsRequest', 'Database'], message: 'Failed to reconfigure MySQL TLS for MySQLOpsRequest: demo/myops-add-tls: Evict mysql-2 failed' });
    assert.deepEqual(one('Skipped', 'True', 'x')[0].on, ['OpsRequest']);
  });

  test('pausing and the Running condition are told by the activities that do them, not by the status write', () => {
    assert.deepEqual(one('DatabasePauseSucceeded', 'True', 'paused'), []);
    assert.deepEqual(one('Running', 'True', 'x'), []);
    assert.deepEqual(one('ResumeDatabase', 'True', 'MySQL mysql is resumed')[0], { type: 'Normal', reason: 'ResumeDatabase', action: 'ResumeDatabase', on: ['OpsRequest'], message: 'Successfully resumed MySQL database: demo/mysql' });
  });

  test('a note longer than Kubernetes allows (1 kB) is cut', () => {
    const [e] = one('Failed', 'True', 'x'.repeat(5000));
    assert.equal(e.message.length, 1024);
    assert.ok(e.message.endsWith('…'));
  });
});
