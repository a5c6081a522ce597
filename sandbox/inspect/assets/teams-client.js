// The host side of Teams JS for one framed tab, as the Teams web client plays it: answers the
// tab's postMessage requests (initialize, getContext, authentication.getAuthToken, executeDeepLink)
// and pushes theme changes. Messages are accepted from the tab's origin only.
/* global document, window, fetch, URL, crypto */
'use strict';

const host = JSON.parse(document.getElementById('host').dataset.host);
const frame = document.getElementById('tab');
const status = document.getElementById('status');
const themeSelect = document.getElementById('theme');
themeSelect.value = host.theme;
const handlers = new Set();

function reply(request, args) {
  frame.contentWindow.postMessage({ id: request.id, uuid: request.uuid, args }, host.tabOrigin);
}

function legacyContext() {
  return {
    locale: host.locale,
    theme: themeSelect.value,
    entityId: new URL(frame.src).pathname.split('/').filter(Boolean).pop(),
    subEntityId: host.subEntityId,
    userObjectId: host.userId,
    userPrincipalName: host.upn,
    loginHint: host.upn,
    tid: host.tenantId,
    hostClientType: 'web',
    frameContext: 'content',
    appSessionId: crypto.randomUUID(),
    isFullScreen: false,
  };
}

async function ssoToken() {
  const res = await fetch(
    `/sandbox/api/tenants/${encodeURIComponent(host.tenantId)}/users/${encodeURIComponent(host.userId)}/tab-sso`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId: host.appId }),
    },
  );
  const body = await res.json();
  if (!res.ok) throw new Error(body.error_description || body.error || `HTTP ${res.status}`);
  return body.token;
}

const RUNTIME = JSON.stringify({
  apiVersion: 4,
  supports: {
    appEntity: {},
    pages: { appButton: {}, tabs: {}, config: {}, backStack: {}, fullTrust: {} },
    teamsCore: {},
  },
});

window.addEventListener('message', async (event) => {
  if (event.source !== frame.contentWindow || event.origin !== host.tabOrigin) return;
  const request = event.data;
  if (!request || typeof request.func !== 'string') return;
  switch (request.func) {
    case 'initialize':
      reply(request, ['content', 'web', RUNTIME, '2.58.0']);
      status.textContent = 'Tab initialised';
      break;
    case 'getContext':
      reply(request, [legacyContext()]);
      break;
    case 'authentication.getAuthToken':
      try {
        reply(request, [true, await ssoToken()]);
      } catch (error) {
        reply(request, [false, String(error.message || error)]);
      }
      break;
    case 'executeDeepLink': {
      const item = document.createElement('li');
      item.textContent = String(request.args && request.args[0]);
      document.getElementById('links').append(item);
      reply(request, [true]);
      break;
    }
    case 'registerHandler':
      if (request.args && request.args[0]) handlers.add(request.args[0]);
      break;
    case 'appInitialization.success':
      status.textContent = 'Tab loaded';
      break;
    default:
      // Capabilities the sandbox does not play: one-way messages are ignored, requests fail politely.
      if (request.id !== undefined)
        reply(request, [false, `${request.func} is not supported by the sandbox`]);
  }
});

themeSelect.addEventListener('change', () => {
  frame.contentWindow.postMessage({ func: 'themeChange', args: [themeSelect.value] }, host.tabOrigin);
});
