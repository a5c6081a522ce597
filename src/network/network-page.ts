import type { Config } from '../config.ts';
import type { ServedCertificateReport } from './certificate-report.ts';
import { allowlist, internalFlows } from './domains.ts';
import { escapeMarkup } from './escape-markup.ts';

const esc = escapeMarkup;

/**
 * The "Network & security" page of this deployment, server-rendered (no script): certificate report,
 * domain allowlist, flow diagram, internal flows and how to report a vulnerability.
 */
export function networkPage(config: Config, report: ServedCertificateReport | null): string {
  const rows = allowlist(config)
    .map(
      (e) =>
        `<tr><td>${e.id}</td><td><code>${esc(e.host)}</code></td><td>${e.protocol.toUpperCase()} ${e.port}</td><td>${esc(e.direction)}</td><td>${esc(e.service)}</td><td>${esc(e.purpose)}</td></tr>`,
    )
    .join('\n');
  const internal = internalFlows(config)
    .map(
      (f) =>
        `<tr><td>${esc(f.id)}</td><td>${esc(f.to)}</td><td>${esc(f.protocol)}</td><td>${esc(f.purpose)}</td></tr>`,
    )
    .join('\n');
  const cert = report
    ? [
        ['Domain', report.domain],
        ['Subject', report.subject],
        ['Alternative names', report.subjectAltNames.join(', ')],
        ['Issuer', report.issuer],
        ['Serial', report.serial],
        ['Valid', `${report.validFrom} → ${report.validTo} (${report.daysRemaining} days left)`],
        [
          'Key',
          `${report.keyType} ${report.keyBits}${report.rsaExponent ? ` (e=${report.rsaExponent})` : ''}${report.ecCurve ? ` ${report.ecCurve}` : ''}`,
        ],
        ['Signature', report.signatureAlgorithm],
        ['SHA-256 fingerprint', report.fingerprintSha256],
        ['SPKI pin (base64 SHA-256)', report.spkiPin],
      ]
        .map(([k, v]) => `<tr><th scope="row">${esc(k ?? '')}</th><td><code>${esc(v ?? '')}</code></td></tr>`)
        .join('\n')
    : '<tr><td>The certificate could not be read right now; see <code>trellis tls report</code>.</td></tr>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trellis — Network &amp; security</title>
</head>
<body>
<main>
<h1>Network &amp; security</h1>
<p>What this Trellis deployment (<code>${esc(config.publicUrl)}</code>) serves and calls, generated from its running configuration.
Machine-readable: <a href="/api/v1/network/domains">domains (JSON)</a>, <a href="/api/v1/network/domains?format=text">domains (text)</a>,
<a href="/network/proxy.pac">proxy auto-config</a>, <a href="/api/v1/network/certificate">certificate (JSON)</a>.</p>
<h2 id="certificate">Certificate</h2>
<table>${cert}</table>
<p>${esc(report?.advice ?? 'Do not pin the leaf certificate: it is renewed regularly.')}</p>
<h2 id="domains">Domains</h2>
<p>All connections use TLS 1.2 or 1.3. Numbers match the flow diagram and the proxy auto-config file.</p>
<table>
<thead><tr><th>#</th><th>Host</th><th>Port</th><th>Direction</th><th>Service</th><th>Purpose</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2 id="flows">Flows</h2>
<p><img src="/network/flows.svg" alt="Network flows of this deployment: customer network, Microsoft 365 and Azure services, Trellis and its infrastructure" width="1060"></p>
<h3>Inside the deployment</h3>
<table>
<thead><tr><th>#</th><th>To</th><th>Protocol</th><th>Purpose</th></tr></thead>
<tbody>
${internal}
</tbody>
</table>
<h2 id="security">Reporting a vulnerability</h2>
<p>Write to <a href="${esc(config.network.securityContact)}">${esc(config.network.securityContact.replace(/^mailto:/, ''))}</a>
(<a href="/.well-known/security.txt">security.txt</a>).</p>
</main>
</body>
</html>
`;
}
