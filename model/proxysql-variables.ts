// ProxySQL 2.5's global variables, keyed without their `mysql-` / `admin-` prefix as KubeDB's ProxySQLOpsRequest
// writes them, with the type ProxySQL checks a new value against when it is loaded to runtime (integers: the
// inclusive range it accepts). From sysown/proxysql's sources of the 2.5 line: the names arrays
// (lib/MySQL_Thread.cpp mysql_thread_variables_names[], lib/ProxySQL_Admin.cpp admin_variables_names[]), the
// integer ranges (get_variables_list()'s VariablesPointers_int, ProxySQL_Admin::set_variable()), the booleans
// (VariablesPointers_bool: true/false/1/0). Uncertain: the ranges of cluster_mysql_servers_sync_algorithm and of
// the two coredump_generation_* variables (read from their feature's description, not the setter). Constraints
// a type cannot say are left to ProxySQL (e.g. threads, stacksize and interfaces take effect at start only).

export type VariableType = { type: 'boolean' } | { type: 'integer'; min: number; max: number } | { type: 'string' };

const B = { type: 'boolean' } as const;
const S = { type: 'string' } as const;
const I = (min: number, max: number): { type: 'integer'; min: number; max: number } => ({ type: 'integer', min, max });

const DAY_MS = 24 * 3600 * 1000;          // 86_400_000
const WEEK_MS = 7 * DAY_MS;               // 604_800_000
const TWENTY_DAYS_MS = 20 * DAY_MS;       // 1_728_000_000
const GIB = 1024 * 1024 * 1024;           // 1_073_741_824
const MIB = 1024 * 1024;                  // 1_048_576

/** mysql-* variables (prefix stripped). Order follows mysql_thread_variables_names[]. */
export const mysqlVariables: Record<string, VariableType> = {
  // tracked session variables exposed as globals (mysql_tracked_variables[], is_global_variable=true)
  default_charset: S,                                   // default "utf8"
  default_collation_connection: S,                      // default "utf8_general_ci"

  shun_on_failures: I(0, 10_000_000),                   // 5
  shun_recovery_time_sec: I(0, 3600 * 24 * 365),        // 10
  unshun_algorithm: I(0, 1),                            // 0
  query_retries_on_failure: I(0, 1000),                 // 1
  client_host_cache_size: I(0, MIB),                    // 0
  client_host_error_counts: I(0, MIB),                  // 0
  connect_retries_on_failure: I(0, 1000),               // 10
  connect_retries_delay: I(0, 10_000),                  // 1
  connection_delay_multiplex_ms: I(0, 300_000),         // 0
  connection_max_age_ms: I(0, DAY_MS),                  // 0
  connect_timeout_client: I(500, 3_600_000),            // 10000
  connect_timeout_server: I(10, 120_000),               // 1000
  connect_timeout_server_max: I(10, 3_600_000),         // 10000
  enable_client_deprecate_eof: B,                       // true
  enable_server_deprecate_eof: B,                       // true
  enable_load_data_local_infile: B,                     // false
  eventslog_filename: S,                                // ""
  eventslog_filesize: I(MIB, GIB),                      // 104857600
  eventslog_default_log: I(0, 1),                       // 0
  eventslog_format: I(1, 2),                            // 1   (explicit check in set_variable)
  auditlog_filename: S,                                 // ""
  auditlog_filesize: I(MIB, GIB),                       // 104857600
  handle_unknown_charset: I(0, 2),                      // 1   (source accepts up to 3, see notes)
  free_connections_pct: I(0, 100),                      // 10
  connection_warming: B,                                // false
  session_idle_ms: I(1, 3_600_000),                     // 1   (IDLE_THREADS builds)
  have_ssl: B,                                          // false
  have_compress: B,                                     // true
  interfaces: S,                                        // "" -> 0.0.0.0:6033 at start; startup-only
  log_mysql_warnings_enabled: B,                        // false
  monitor_enabled: B,                                   // true
  monitor_history: I(1000, WEEK_MS),                    // 600000
  monitor_connect_interval: I(100, WEEK_MS),            // 120000
  monitor_connect_timeout: I(100, 600_000),             // 600
  monitor_ping_interval: I(100, WEEK_MS),               // 8000
  monitor_ping_max_failures: I(1, 1_000_000),           // 3
  monitor_ping_timeout: I(100, 600_000),                // 1000
  monitor_read_only_interval: I(100, WEEK_MS),          // 1000
  monitor_read_only_timeout: I(100, 600_000),           // 800
  monitor_read_only_max_timeout_count: I(1, 1_000_000), // 3
  monitor_replication_lag_group_by_host: B,             // false
  monitor_replication_lag_interval: I(100, WEEK_MS),    // 10000
  monitor_replication_lag_timeout: I(100, 600_000),     // 1000
  monitor_replication_lag_count: I(1, 10),              // 1
  monitor_groupreplication_healthcheck_interval: I(100, WEEK_MS),          // 5000
  monitor_groupreplication_healthcheck_timeout: I(100, 600_000),           // 800
  monitor_groupreplication_healthcheck_max_timeout_count: I(1, 10),        // 3
  monitor_groupreplication_max_transactions_behind_count: I(1, 10),        // 3
  monitor_groupreplication_max_transactions_behind_for_read_only: I(0, 2), // 1
  monitor_galera_healthcheck_interval: I(50, WEEK_MS),                     // 5000
  monitor_galera_healthcheck_timeout: I(50, 600_000),                      // 800
  monitor_galera_healthcheck_max_timeout_count: I(1, 10),                  // 3
  monitor_username: S,                                  // "monitor" (non-empty)
  monitor_password: S,                                  // "monitor"
  monitor_replication_lag_use_percona_heartbeat: S,     // "" or schema.table
  monitor_query_interval: I(100, WEEK_MS),              // 60000
  monitor_query_timeout: I(100, 600_000),               // 100
  monitor_slave_lag_when_null: I(0, 604_800),           // 60
  monitor_threads_min: I(2, 256),                       // 8
  monitor_threads_max: I(4, 1024),                      // 128
  monitor_threads_queue_maxsize: I(16, 1024),           // 128
  monitor_local_dns_cache_ttl: I(0, WEEK_MS),           // 300000
  monitor_local_dns_cache_refresh_interval: I(0, WEEK_MS), // 60000
  monitor_local_dns_resolver_queue_maxsize: I(16, 1024),   // 128
  monitor_wait_timeout: B,                              // true
  monitor_writer_is_also_reader: B,                     // true
  max_allowed_packet: I(8192, GIB),                     // 67108864
  tcp_keepalive_time: I(0, 7200),                       // 0
  use_tcp_keepalive: B,                                 // false
  automatic_detect_sqli: B,                             // false
  firewall_whitelist_enabled: B,                        // false
  firewall_whitelist_errormsg: S,                       // "Firewall blocked this query"
  throttle_connections_per_sec_to_hostgroup: I(1, 100_000_000), // 1000000
  max_transaction_idle_time: I(1000, TWENTY_DAYS_MS),   // 14400000
  max_transaction_time: I(1000, TWENTY_DAYS_MS),        // 14400000
  multiplexing: B,                                      // true
  log_unhealthy_connections: B,                         // true
  enforce_autocommit_on_reads: B,                       // false
  autocommit_false_not_reusable: B,                     // false
  autocommit_false_is_transaction: B,                   // false
  verbose_query_error: B,                               // false
  hostgroup_manager_verbose: I(0, 3),                   // 1
  binlog_reader_connect_retry_msec: I(200, 120_000),    // 3000 (explicit check)
  threshold_query_length: I(1024, GIB),                 // 524288
  threshold_resultset_size: I(1024, GIB),               // 4194304
  query_digests_max_digest_length: I(16, MIB),          // 2048
  query_digests_max_query_length: I(16, MIB),           // 65000
  query_digests_grouping_limit: I(1, 2089),             // 3
  query_digests_groups_grouping_limit: I(0, 2089),      // 0
  wait_timeout: I(0, TWENTY_DAYS_MS),                   // 28800000 (explicit check)
  throttle_max_bytes_per_second_to_client: I(0, 2_147_483_647), // 0
  throttle_ratio_server_to_client: I(0, 100),           // 0
  max_connections: I(1, 1_000_000),                     // 10000
  max_stmts_per_connection: I(1, 1024),                 // 20
  max_stmts_cache: I(1024, MIB),                        // 10000
  mirror_max_concurrency: I(1, 8192),                   // 16
  mirror_max_queue_length: I(0, MIB),                   // 32000
  default_max_latency_ms: I(0, TWENTY_DAYS_MS),         // 1000
  default_query_delay: I(0, 3_600_000),                 // 0
  default_query_timeout: I(1000, TWENTY_DAYS_MS),       // 86400000
  query_processor_iterations: I(0, 1_000_000),          // 0
  query_processor_regex: I(1, 2),                       // 1
  set_query_lock_on_hostgroup: I(0, 1),                 // 1
  reset_connection_algorithm: I(1, 2),                  // 2
  auto_increment_delay_multiplex: I(0, 1_000_000),      // 5
  auto_increment_delay_multiplex_timeout_ms: I(0, 3_600_000), // 10000
  long_query_time: I(0, TWENTY_DAYS_MS),                // 1000
  query_cache_size_MB: I(0, 1024 * 10240),              // 256
  query_cache_soft_ttl_pct: I(0, 100),                  // 0
  ping_interval_server_msec: I(1000, WEEK_MS),          // 10000
  ping_timeout_server: I(10, 600_000),                  // 200
  default_schema: S,                                    // "information_schema" (non-empty)
  poll_timeout: I(10, 20_000),                          // 2000
  poll_timeout_on_failure: I(10, 20_000),               // 100
  server_capabilities: I(11, 65_535),                   // see notes (explicit check v>10 && v<=65535)
  server_version: S,                                    // "5.5.30" (non-empty)
  keep_multiplexing_variables: S,                       // "tx_isolation,transaction_isolation,version"
  kill_backend_connection_when_disconnect: B,           // true
  client_session_track_gtid: B,                         // true
  sessions_sort: B,                                     // true
  session_idle_show_processlist: B,                     // true (IDLE_THREADS builds)
  show_processlist_extended: I(0, 2),                   // 0
  commands_stats: B,                                    // true
  query_digests: B,                                     // true
  query_digests_lowercase: B,                           // false
  query_digests_replace_null: B,                        // false
  query_digests_no_digits: B,                           // false
  query_digests_normalize_digest_text: B,               // false
  query_digests_track_hostname: B,                      // false
  query_digests_keep_comment: B,                        // false
  parse_failure_logs_digest: B,                         // false
  servers_stats: B,                                     // true
  default_reconnect: B,                                 // true
  ssl_p2s_ca: S,                                        // NULL / ""
  ssl_p2s_capath: S,                                    // NULL / ""
  ssl_p2s_cert: S,                                      // NULL / ""
  ssl_p2s_key: S,                                       // NULL / ""
  ssl_p2s_cipher: S,                                    // NULL / ""
  ssl_p2s_crl: S,                                       // NULL / ""
  ssl_p2s_crlpath: S,                                   // NULL / ""
  stacksize: I(256 * 1024, 4 * MIB),                    // 1048576 (startup-only)
  threads: I(1, 255),                                   // 4 (startup-only; check intv>0 && intv<256)
  init_connect: S,                                      // NULL / ""
  ldap_user_variable: S,                                // NULL / ""
  add_ldap_user_comment: S,                             // NULL / ""
  default_tx_isolation: S,                              // MYSQL_DEFAULT_TX_ISOLATION ("READ-COMMITTED")
  default_session_track_gtids: S,                       // "OFF" (OFF | OWN_GTID)
  connpoll_reset_queue_length: I(0, 10_000),            // 50
  min_num_servers_lantency_awareness: I(0, 10_000),     // 1000 (sic: "lantency")
  aurora_max_lag_ms_only_read_from_replicas: I(0, 100), // 2
  stats_time_backend_query: B,                          // false
  stats_time_query_processor: B,                        // false
  query_cache_stores_empty_result: B,                   // true
};

/** admin-* variables (prefix stripped). Order follows admin_variables_names[]. */
export const adminVariables: Record<string, VariableType> = {
  admin_credentials: S,                                 // "admin:admin" (non-empty)
  stats_credentials: S,                                 // "stats:stats" (non-empty)
  stats_mysql_connections: I(0, 300),                   // 60
  stats_mysql_connection_pool: I(0, 300),               // 60
  stats_mysql_query_cache: I(0, 300),                   // 60
  stats_mysql_query_digest_to_disk: I(0, 24 * 3600),    // 0
  stats_system_cpu: I(0, 600),                          // 60
  stats_system_memory: I(0, 600),                       // 60
  mysql_ifaces: S,                                      // "0.0.0.0:6032" (non-empty)
  telnet_admin_ifaces: S,                               // NULL
  telnet_stats_ifaces: S,                               // NULL
  refresh_interval: I(101, 99_999),                     // 2000 (check: v>100 && v<100000)
  read_only: B,                                         // false
  hash_passwords: B,                                    // true
  vacuum_stats: B,                                      // true
  version: S,                                           // PROXYSQL_VERSION (read-only)
  cluster_username: S,                                  // ""
  cluster_password: S,                                  // ""
  cluster_check_interval_ms: I(10, 300_000),            // 1000
  cluster_check_status_frequency: I(0, 10_000),         // 10
  cluster_mysql_query_rules_diffs_before_sync: I(0, 1000), // 3
  cluster_mysql_servers_diffs_before_sync: I(0, 1000),     // 3
  cluster_mysql_users_diffs_before_sync: I(0, 1000),       // 3
  cluster_proxysql_servers_diffs_before_sync: I(0, 1000),  // 3
  cluster_mysql_variables_diffs_before_sync: I(0, 1000),   // 3
  cluster_admin_variables_diffs_before_sync: I(0, 1000),   // 3
  cluster_ldap_variables_diffs_before_sync: I(0, 1000),    // 3
  cluster_mysql_query_rules_save_to_disk: B,            // true
  cluster_mysql_servers_save_to_disk: B,                // true
  cluster_mysql_users_save_to_disk: B,                  // true
  cluster_proxysql_servers_save_to_disk: B,             // true
  cluster_mysql_variables_save_to_disk: B,              // true
  cluster_admin_variables_save_to_disk: B,              // true
  cluster_ldap_variables_save_to_disk: B,               // true
  cluster_mysql_servers_sync_algorithm: I(1, 3),        // 1 (2.5.x addition; range uncertain)
  checksum_mysql_query_rules: B,                        // true
  checksum_mysql_servers: B,                            // true
  checksum_mysql_users: B,                              // true
  checksum_mysql_variables: B,                          // true
  checksum_admin_variables: B,                          // true
  checksum_ldap_variables: B,                           // true
  restapi_enabled: B,                                   // false
  restapi_port: I(1, 65_534),                           // 6070 (check: v>0 && v<65535)
  web_enabled: B,                                       // false
  web_port: I(1, 65_534),                               // 6080 (check: v>0 && v<65535)
  web_verbosity: I(0, 10),                              // 0
  prometheus_memory_metrics_interval: I(1, 7 * 24 * 3600 - 1), // 61 (check: v>0 && v<604800)
  coredump_generation_interval_ms: I(0, 2_147_483_646), // 30000 (2.5.x addition; range uncertain)
  coredump_generation_threshold: I(1, 500),             // 10    (2.5.x addition; range uncertain)
  ssl_keylog_file: S,                                   // ""    (2.5.x addition)
};
