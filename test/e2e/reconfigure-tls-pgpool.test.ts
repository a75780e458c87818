// KubeDB's Pgpool reconfigure-TLS guide end to end: add → rotate → update → change issuer → remove.
import { tlsKinds } from '../helpers/tls-kinds.ts';
import { walkThrough } from '../helpers/tls-walkthrough.ts';

walkThrough(tlsKinds.find((k) => k.kind === 'Pgpool')!);
