export { APP_ROLE, type DatabaseOptions, type Db, openDatabase, type Tx } from './database.ts';
export { loadMigrations, type MigrationReport, migrate, pendingMigrations } from './migrate.ts';
export type { AuditEventsTable, Database } from './schema.ts';
export type { ActivityKind, RequestStatus, StageStatus } from './tables/requests.ts';
export type { RunStatus } from './tables/provisioning.ts';
