import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { DirectoryUser } from '../state/types.ts';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.4 "Segoe UI",system-ui,-apple-system,sans-serif;background:#f2f2f2;color:#1b1b1b}
main{max-width:560px;margin:48px auto;background:#fff;padding:36px 44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.brand{font-weight:600;color:#737373;letter-spacing:.02em}
h1{font-size:24px;font-weight:600;margin:16px 0 4px}
.sub{color:#505050;margin:0 0 20px}
.users{list-style:none;margin:0;padding:0;max-height:60vh;overflow:auto}
.users li{margin:0}
.users button{display:flex;width:100%;gap:12px;align-items:center;text-align:left;padding:10px 8px;border:0;border-bottom:1px solid #e6e6e6;background:none;font:inherit;cursor:pointer}
.users button:hover,.users button:focus{background:#f0f6ff;outline:none}
.users .hinted{background:#eef5ee}
.avatar{flex:none;width:36px;height:36px;border-radius:50%;background:#0067b8;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:600}
.who{display:flex;flex-direction:column;min-width:0}
.upn,.meta{color:#606060;font-size:13px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.tag{font-size:11px;border:1px solid #8a8886;border-radius:3px;padding:0 4px;margin-left:6px;color:#605e5c}
.error{background:#fde7e9;border-left:4px solid #a80000;padding:10px 12px;margin:0 0 16px}
.note{color:#737373;font-size:12px;margin-top:20px}
code{font-size:12px;word-break:break-all}
`;

/** Sends an HTML page with a CSP that allows only its own nonce'd style/script and the given form targets. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  title: string,
  body: string,
  options: { nonce: string; formActions?: string[]; script?: string } = { nonce: newNonce() },
): FastifyReply {
  const formAction = ["'self'", ...(options.formActions ?? [])].join(' ');
  const scriptSrc = options.script ? `; script-src 'nonce-${options.nonce}'` : '';
  return reply
    .code(status)
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${options.nonce}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'${scriptSrc}`,
    )
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store, no-cache')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style nonce="${options.nonce}">${STYLE}</style></head>` +
        `<body><main>${body}</main>${options.script ? `<script nonce="${options.nonce}">${options.script}</script>` : ''}</body></html>`,
    );
}

/** A fresh CSP nonce. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

function initials(user: DirectoryUser): string {
  return `${user.givenName.charAt(0)}${user.surname.charAt(0)}`.toUpperCase() || '?';
}

/** One account the sign-in page offers. */
export interface SignInChoice {
  user: DirectoryUser;
  /** Shown when accounts of several tenants are listed (`/common`). */
  tenantDomain: string | null;
}

/** The account picker: every enabled user as a submit button of one form that re-posts the request. */
export function signInPageHtml(options: {
  tenantName: string;
  appName: string;
  choices: SignInChoice[];
  fields: Record<string, string>;
  action: string;
  loginHint: string | null;
  error: string | null;
}): string {
  const hint = options.loginHint?.toLowerCase() ?? null;
  const hidden = Object.entries(options.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const items = options.choices
    .map(({ user, tenantDomain }) => {
      const hinted = hint !== null && user.userPrincipalName.toLowerCase() === hint;
      const meta = [user.jobTitle, user.department, user.officeLocation].filter(Boolean).join(' · ');
      const tags = [
        user.userType === 'Guest' ? '<span class="tag">Guest</span>' : '',
        tenantDomain ? `<span class="tag">${escapeHtml(tenantDomain)}</span>` : '',
      ].join('');
      return (
        `<li><button type="submit" name="login" value="${escapeHtml(user.userPrincipalName)}"` +
        `${hinted ? ' class="hinted" autofocus' : ''} data-user-id="${escapeHtml(user.id)}">` +
        `<span class="avatar" aria-hidden="true">${escapeHtml(initials(user))}</span>` +
        `<span class="who"><span class="name">${escapeHtml(user.displayName)}${tags}</span>` +
        `<span class="upn">${escapeHtml(user.userPrincipalName)}</span>` +
        `<span class="meta">${escapeHtml(meta)}</span></span></button></li>`
      );
    })
    .join('');
  return (
    `<div class="brand">Microsoft 365 sandbox · ${escapeHtml(options.tenantName)}</div>` +
    `<h1>Pick an account</h1><p class="sub">to continue to ${escapeHtml(options.appName)}</p>` +
    (options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '') +
    `<form method="post" action="${escapeHtml(options.action)}">${hidden}<ul class="users">${items}</ul></form>` +
    '<p class="note">Sandbox sign-in: no password is asked. Choosing an account signs in as that user.</p>'
  );
}

/** Entra's error page (for errors that cannot be sent back to an unverified redirect URI). */
export function errorPageHtml(options: {
  message: string;
  correlationId: string;
  timestamp: string;
}): string {
  return (
    '<div class="brand">Microsoft 365 sandbox</div><h1>Sign in</h1>' +
    `<p class="error" role="alert">Sorry, but we’re having trouble signing you in.</p><p>${escapeHtml(options.message)}</p>` +
    `<p class="note">Correlation ID: <code>${escapeHtml(options.correlationId)}</code><br>Timestamp: ${escapeHtml(options.timestamp)}</p>`
  );
}

/** `response_mode=form_post`: a form that posts the result to the redirect URI (submitted by script). */
export function formPostHtml(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<form id="result" method="post" action="${escapeHtml(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>`;
}
