// cert-manager's CA/self-signed issuer stand-in, alone: `node tools/cert-manager/main.ts`.
// CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE: where ClusterIssuers' CA Secrets live (default cert-manager).
import { runStandIns } from '../stand-in-process.ts';
import { runCertManager } from './controller.ts';

await runStandIns({ 'cert-manager': runCertManager });
