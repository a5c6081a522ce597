export {
  type AuditActor,
  type AuditEvent,
  type AuditEventInput,
  type AuditFilter,
  type AuditPage,
  type AuditSource,
  csvCell,
  exportAudit,
  listAudit,
  recordAudit,
} from './audit-trail.ts';
