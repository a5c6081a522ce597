// English strings of the shell and shared components. Each tab keeps its own strings in
// web/src/tabs/<tab>/messages.ts with the same shape (en and fr); tests check French has every key.
export const en = {
  'app.name': 'Trellis',
  'nav.label': 'Trellis sections',
  'nav.catalog': 'Catalog',
  'nav.requests': 'My requests',
  'nav.approvals': 'Approvals',
  'nav.governance': 'Governance',
  'nav.admin': 'Admin',
  'user.signOut': 'Sign out',
  'user.menu': 'Account: {name}',
  'signIn.title': 'Sign in to Trellis',
  'signIn.body': 'Trellis uses your work account. You will come back here once signed in.',
  'signIn.action': 'Sign in',
  'signIn.error': 'Sign-in did not complete ({reason}). Try again.',
  'signIn.signedOut': 'You are signed out.',
  'state.loading': 'Loading…',
  'state.error': 'Something went wrong',
  'state.retry': 'Try again',
  'state.consent.title': 'Your organisation’s consent is needed',
  'state.consent.body':
    'Trellis reads this with your own rights in Microsoft 365, and your organisation has not allowed it yet ({scopes}). An administrator can grant it once for everyone.',
  'state.consent.action': 'Grant consent (administrators)',
  'state.empty': 'Nothing here yet',
  'state.forbidden': 'You do not have access to this section. Ask a Trellis admin for the {role} role.',
  'state.notFound': 'This page does not exist.',
  'page.privacy.title': 'Privacy',
  'page.privacy.body':
    'Trellis stores the requests, templates and audit records of your organisation in its own database, hosted by your organisation. It reads your profile from Microsoft Entra ID to identify you.',
  'page.terms.title': 'Terms of use',
  'page.terms.body': 'Trellis is open-source software under the MIT licence, operated by your organisation.',
  'common.close': 'Close',
  'common.cancel': 'Cancel',
  'common.save': 'Save',
  'common.search': 'Search',
  'common.openInTeams': 'Open in Teams',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
