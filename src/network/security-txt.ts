import type { Config } from '../config.ts';

/** RFC 9116 wants `Expires` less than a year away; a rolling 180 days keeps the file current. */
const EXPIRES_DAYS = 180;

/** `/.well-known/security.txt` (RFC 9116) of this deployment. */
export function securityTxt(config: Config, now = new Date()): string {
  const expires = new Date(now.getTime() + EXPIRES_DAYS * 86_400_000);
  expires.setUTCHours(0, 0, 0, 0);
  return [
    `Contact: ${config.network.securityContact}`,
    `Expires: ${expires.toISOString()}`,
    'Preferred-Languages: en, fr',
    `Canonical: ${config.publicUrl}/.well-known/security.txt`,
    `Policy: ${config.publicUrl}/network#security`,
    '',
  ].join('\n');
}
