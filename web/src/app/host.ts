// Where the tabs run: inside a Teams (or Microsoft 365) client, or in a plain browser. Teams JS is
// loaded only inside Teams, so the browser build's first paint does not pay for it.

export type ThemeName = 'default' | 'dark' | 'contrast';

export interface Host {
  kind: 'teams' | 'browser';
  /** BCP 47 locale of the user (Teams' client locale, or the browser's). */
  locale: string;
  theme: ThemeName;
  /** The sub-entity a deep link opened the tab on (e.g. a request id), if any. */
  subEntityId: string | undefined;
  /** An access token for Trellis's API. */
  getToken(options?: { refresh?: boolean }): Promise<string>;
  /** Called when the user switches Teams' theme or the OS's colour scheme. */
  onThemeChange(handler: (theme: ThemeName) => void): void;
  signOut(): Promise<void>;
  /** Opens a Teams deep link (inside Teams through the SDK, elsewhere in a new window). */
  openLink(url: string): Promise<void>;
}

/** The header that marks same-origin calls to /auth/token and /auth/signout (see src/server/routes/web-auth.ts). */
const WEB_AUTH_HEADER = 'x-trellis-web';

export class SignInRequired extends Error {
  constructor() {
    super('Sign-in required');
  }
}

function inTeams(): boolean {
  const params = new URLSearchParams(window.location.search);
  if (params.get('inTeams') === '1') sessionStorage.setItem('trellis.inTeams', '1');
  return sessionStorage.getItem('trellis.inTeams') === '1';
}

function teamsTheme(value: string | undefined): ThemeName {
  return value === 'dark' ? 'dark' : value === 'contrast' ? 'contrast' : 'default';
}

/** The host, once known (Teams initialised, or the browser session found). */
export async function detectHost(): Promise<Host> {
  return inTeams() ? teamsHost() : browserHost();
}

async function teamsHost(): Promise<Host> {
  const { app, authentication } = await import('@microsoft/teams-js');
  // Hosts besides Microsoft's own that may talk to the tab (the sandbox's Teams client in embedded mode).
  const extraHosts = document.querySelector<HTMLMetaElement>('meta[name="trellis-teams-hosts"]')?.content;
  await app.initialize(extraHosts ? extraHosts.split(' ').filter(Boolean) : undefined);
  const context = await app.getContext();
  void app.notifySuccess();
  return {
    kind: 'teams',
    locale: context.app.locale || navigator.language,
    theme: teamsTheme(context.app.theme),
    subEntityId: context.page.subPageId || undefined,
    getToken: () => authentication.getAuthToken(),
    onThemeChange: (handler) => app.registerOnThemeChangeHandler((t) => handler(teamsTheme(t))),
    signOut: async () => {},
    openLink: (url) => app.openLink(url),
  };
}

interface BrowserToken {
  signedIn: boolean;
  accessToken: string;
  expiresOn: string;
}

function browserHost(): Host {
  let current: { token: string; expires: number } | undefined;
  let pending: Promise<string> | undefined;
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const contrast = window.matchMedia('(forced-colors: active)');
  const theme = (): ThemeName => (contrast.matches ? 'contrast' : dark.matches ? 'dark' : 'default');

  async function fetchToken(): Promise<string> {
    const res = await fetch('/auth/token', {
      method: 'POST',
      headers: { [WEB_AUTH_HEADER]: '1' },
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(`Sign-in service answered ${res.status}`);
    const body = (await res.json()) as BrowserToken;
    if (!body.signedIn) throw new SignInRequired();
    current = { token: body.accessToken, expires: Date.parse(body.expiresOn) };
    return body.accessToken;
  }

  return {
    kind: 'browser',
    locale: navigator.language,
    theme: theme(),
    subEntityId: new URLSearchParams(window.location.search).get('item') ?? undefined,
    async getToken(options = {}) {
      // A minute of margin: the API must not see a token expire in flight.
      if (!options.refresh && current && current.expires - Date.now() > 60_000) return current.token;
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    onThemeChange(handler) {
      const notify = () => handler(theme());
      dark.addEventListener('change', notify);
      contrast.addEventListener('change', notify);
    },
    async signOut() {
      const res = await fetch('/auth/signout', {
        method: 'POST',
        headers: { [WEB_AUTH_HEADER]: '1' },
        credentials: 'same-origin',
      });
      current = undefined;
      const body = res.ok ? ((await res.json()) as { logoutUrl?: string }) : {};
      window.location.assign(body.logoutUrl ?? '/tabs/catalog?signedOut=1');
    },
    async openLink(url) {
      window.open(url, '_blank', 'noopener');
    },
  };
}

/** Sends the browser through Entra sign-in, coming back to where it was. */
export function signIn(): void {
  const here = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/auth/signin?returnTo=${encodeURIComponent(here)}`);
}
