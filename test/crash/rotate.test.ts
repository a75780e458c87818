// Crash at every step of a certificate rotation of a 3-pod TLS MySQL (see crash-matrix.ts): each certificate
// issued once more, each pod restarted once, the database resumed, whichever point the worker died at; with
// maxRetries 0, so a lost worker must not use up a retry.
import { res } from '../helpers/cluster.ts';
import { crashMatrix } from '../helpers/crash-matrix.ts';
import { applyRotate, createCAIssuer, createTLSMySQL, databaseCertificates, waitForCertificatesIssued, waitForDatabaseReady } from '../helpers/fixtures.ts';

crashMatrix({
  title: 'a rotation',
  opsRequest: res.mysqlOps,
  database: res.mysql,
  databaseName: 'my-db',
  async setUp(ns) {
    await createCAIssuer(ns);
    await createTLSMySQL(ns);
    await waitForDatabaseReady(ns);
    await waitForCertificatesIssued(ns);
  },
  apply: (ns, name) => applyRotate(ns, name, 'my-db', '  timeout: 20s\n  maxRetries: 0\n'),
  issues: { certificates: databaseCertificates, by: 'trigger' },
  restartsPods: true,
});
