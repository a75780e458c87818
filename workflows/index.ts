// The workflows the worker serves (this file is the entry of the workflow bundle).
export { opsRequestWorkflow } from './ops-request.ts';
export { databaseCertificatesWorkflow } from './certificates.ts';
