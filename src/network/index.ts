export { allowlist, type AllowlistEntry, internalFlows, type InternalFlow } from './domains.ts';
export { flowDiagram, FLOW_COLOURS } from './flow-diagram.ts';
export { isProxyAddress, proxyPac } from './proxy-pac.ts';
export { securityTxt } from './security-txt.ts';
export { domainsText, networkApiRoutes, registerNetworkPages } from './routes.ts';
export { installEntryLock } from './entry-lock.ts';
export {
  type CertificateReport,
  certificateReport,
  fetchCertificateReport,
  type ServedCertificateReport,
  servedCertificate,
  servedCertificateReport,
  urlCertificate,
} from './certificate-report.ts';
export { checkDomains, type DomainCheck, domainTargets, parseDomainList } from './doctor-network.ts';
