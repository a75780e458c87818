// The auth Secret of a KubeDB database: `spec.authSecret.name`, by default `<db>-auth` (keys username, password).
import type { Database } from './types.ts';

export const authSecretName = (db: Database): string => ((db.spec?.authSecret as { name?: string } | undefined)?.name) || `${db.metadata.name}-auth`;
