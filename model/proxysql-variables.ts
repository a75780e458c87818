// ProxySQL 2.5's global variables that a Reconfigure may name (placeholder, replaced by the full table).
export type VariableType = { type: 'boolean' } | { type: 'integer'; min: number; max: number } | { type: 'string' };

export const mysqlVariables: Record<string, VariableType> = {
  max_connections: { type: 'integer', min: 1, max: 1000000 },
  max_transaction_time: { type: 'integer', min: 1000, max: 20 * 24 * 3600 * 1000 },
  max_stmts_per_connection: { type: 'integer', min: 1, max: 1024 },
  have_ssl: { type: 'boolean' },
};

export const adminVariables: Record<string, VariableType> = {
  refresh_interval: { type: 'integer', min: 100, max: 100000 },
  cluster_check_interval_ms: { type: 'integer', min: 10, max: 300000 },
};
