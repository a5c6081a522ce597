// The sandbox inspection page: plain browser JavaScript, no build step. Adaptive Cards are rendered
// by the official renderer (window.AdaptiveCards, served from node_modules/adaptivecards/dist).
/* global document, window, fetch, Node, setInterval */

(() => {
  const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
  const state = { tenant: null, users: [], teams: [], trees: new Map(), conversationId: null, signature: '' };
  const $ = (id) => document.getElementById(id);

  /** Builds an element: attributes, `on…` listeners, then children (nodes or text). */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function setStatus(text, isError) {
    const status = $('status');
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  async function api(path, options) {
    const init = { method: options?.method || 'GET', headers: {} };
    // Every write is JSON (the sandbox refuses others, so that no other site can drive it).
    if (init.method !== 'GET') {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body === undefined ? {} : options.body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const message = body?.error ? body.error.message : `${response.status} ${response.statusText}`;
      throw new Error(message);
    }
    return body;
  }

  const tenantPath = (suffix) => `/sandbox/api/tenants/${encodeURIComponent(state.tenant.id)}${suffix}`;
  const actingUserId = () => $('acting-user').value;

  /** Runs an async UI action and reports failures in the status line instead of losing them. */
  function run(action) {
    action().catch((error) => setStatus(error.message, true));
  }

  function renderCard(card, onExecute, onSubmit) {
    const adaptiveCard = new window.AdaptiveCards.AdaptiveCard();
    adaptiveCard.onExecuteAction = (action) => {
      const type = action.getJsonTypeName();
      if (type === 'Action.OpenUrl') window.open(action.url, '_blank', 'noopener');
      else if (type === 'Action.Execute' && onExecute) onExecute(action);
      else if (type === 'Action.Submit' && onSubmit) onSubmit(action);
      else setStatus(`${type} is not routed by the sandbox here.`, true);
    };
    adaptiveCard.parse(card);
    return adaptiveCard.render() || el('p', { class: 'muted' }, 'This card could not be rendered.');
  }

  // ---- tenants, users, endpoints --------------------------------------------------------------

  async function loadTenants() {
    const { value } = await api('/sandbox/api/tenants');
    const select = $('tenant');
    select.replaceChildren(
      ...value.map((t) => el('option', { value: t.id }, `${t.displayName} (${t.domain})`)),
    );
    state.tenants = value;
    if (value.length > 0) await selectTenant(value[0].id);
  }

  async function selectTenant(id) {
    state.tenant = state.tenants.find((t) => t.id === id);
    state.trees.clear();
    renderEndpoints();
    await Promise.all([loadUsers(), loadTeams()]);
    await loadConversations();
  }

  function renderEndpoints() {
    const list = $('endpoints');
    list.replaceChildren(
      ...Object.entries(state.tenant.endpoints).flatMap(([name, url]) => [
        el('dt', {}, name),
        el('dd', {}, url),
      ]),
    );
  }

  async function loadUsers() {
    const { value } = await api(tenantPath('/users'));
    state.users = value;
    const acting = $('acting-user');
    const previous = acting.value;
    acting.replaceChildren(...value.map((u) => el('option', { value: u.id }, u.displayName)));
    if (value.some((u) => u.id === previous)) acting.value = previous;
    $('users').replaceChildren(
      ...value.map((user) =>
        el(
          'li',
          { class: 'user', 'data-user-id': user.id },
          el('strong', {}, user.displayName),
          el(
            'span',
            { class: 'muted' },
            [user.jobTitle, user.department, user.country].filter(Boolean).join(' · '),
          ),
          el('span', { class: 'muted' }, user.userPrincipalName),
          el(
            'label',
            { class: 'inline' },
            'Bot: ',
            el(
              'select',
              {
                'aria-label': `Bot installation for ${user.displayName}`,
                onchange: (event) =>
                  run(async () => {
                    if (event.target.value === 'installed') {
                      // Installing is what Teams does: the bot receives conversationUpdate and may greet.
                      const result = await api(tenantPath('/act/install'), {
                        method: 'POST',
                        body: { userId: user.id },
                      });
                      setStatus(
                        `${user.displayName}: app installed (bot answered ${result.delivery.status})`,
                      );
                      await loadConversations();
                      return;
                    }
                    await api(tenantPath(`/users/${encodeURIComponent(user.id)}/bot`), {
                      method: 'PUT',
                      body: { state: event.target.value },
                    });
                    setStatus(`${user.displayName}: bot ${event.target.value}`);
                  }),
              },
              ['installed', 'uninstalled', 'blocked'].map((s) =>
                el('option', { value: s, selected: s === user.botInstallation }, s),
              ),
            ),
          ),
        ),
      ),
    );
  }

  // ---- teams ----------------------------------------------------------------------------------

  async function loadTeams() {
    const { value } = await api(tenantPath('/teams'));
    state.teams = value;
    await Promise.all(
      value.map(async (team) => {
        state.trees.set(team.id, await api(tenantPath(`/teams/${encodeURIComponent(team.id)}`)));
      }),
    );
    $('teams').replaceChildren(
      ...value.map((team) =>
        el(
          'li',
          {},
          el(
            'button',
            { type: 'button', class: 'link', onclick: () => renderTeam(state.trees.get(team.id)) },
            team.displayName,
          ),
          team.isArchived ? el('span', { class: 'badge' }, 'archived') : null,
        ),
      ),
    );
    const target = $('message-target');
    target.replaceChildren(
      el('option', { value: 'personal' }, '1:1 chat with the bot'),
      ...[...state.trees.values()].flatMap((tree) =>
        tree.channels.map((channel) =>
          el(
            'option',
            { value: JSON.stringify({ teamId: tree.id, channelId: channel.id }) },
            `${tree.displayName} › ${channel.displayName}`,
          ),
        ),
      ),
    );
  }

  function renderTeam(tree) {
    if (!tree) return;
    $('team-tree').replaceChildren(
      el('h3', {}, tree.displayName, tree.isArchived ? ' (archived)' : ''),
      tree.description ? el('p', { class: 'muted' }, tree.description) : null,
      el('h4', {}, 'Channels'),
      el(
        'ul',
        { class: 'tree' },
        tree.channels.map((channel) =>
          el(
            'li',
            {},
            el('strong', {}, channel.displayName),
            el('span', { class: 'badge' }, channel.membershipType),
            channel.tabs.length
              ? el(
                  'ul',
                  {},
                  channel.tabs.map((tab) => el('li', {}, `Tab: ${tab.displayName}`)),
                )
              : null,
            channel.files.length
              ? el(
                  'ul',
                  {},
                  channel.files.map((file) => el('li', {}, `File: ${file.path} (${file.size} B)`)),
                )
              : null,
          ),
        ),
      ),
      el('h4', {}, 'Members'),
      el(
        'ul',
        { class: 'tree' },
        tree.members.map((m) =>
          el('li', {}, m.displayName, m.roles.length ? ` (${m.roles.join(', ')})` : ''),
        ),
      ),
      el('h4', {}, 'Apps'),
      el(
        'ul',
        { class: 'tree' },
        tree.installedApps.map((a) => el('li', {}, a.displayName)),
      ),
      el('h4', {}, 'Plans'),
      el(
        'ul',
        { class: 'tree' },
        tree.plans.map((plan) =>
          el(
            'li',
            {},
            plan.title,
            el(
              'ul',
              {},
              plan.buckets.map((bucket) =>
                el(
                  'li',
                  {},
                  bucket.name,
                  el(
                    'ul',
                    {},
                    bucket.tasks.map((task) => el('li', {}, `${task.title} — ${task.percentComplete}%`)),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  // ---- bot conversations ----------------------------------------------------------------------

  function conversationTitle(c) {
    if (c.conversationType === 'personal') return `1:1 with ${c.userDisplayName || c.userId}`;
    return `${c.teamDisplayName || c.teamId} › ${c.channelDisplayName || c.channelId}`;
  }

  /** Redraws the list, and the open conversation, unless a poll finds nothing changed. */
  async function loadConversations(force = true) {
    const { value } = await api(tenantPath('/conversations'));
    const signature = JSON.stringify(value);
    if (!force && signature === state.signature) return;
    state.signature = signature;
    $('conversations').replaceChildren(
      ...value.map((c) =>
        el(
          'li',
          { class: c.id === state.conversationId ? 'selected' : '' },
          el(
            'button',
            { type: 'button', class: 'link', onclick: () => run(() => showConversation(c.id)) },
            conversationTitle(c),
          ),
          el('span', { class: 'muted' }, ` ${c.activityCount} activities`),
        ),
      ),
    );
    if (state.conversationId) await showConversation(state.conversationId);
  }

  async function showConversation(id) {
    state.conversationId = id;
    const conversation = await api(tenantPath(`/conversations/${encodeURIComponent(id)}`));
    const items = conversation.activities.map((activity) => renderActivity(conversation, activity));
    $('conversation').replaceChildren(
      el('h3', {}, conversationTitle(conversation)),
      el('ol', { class: 'activities' }, items),
    );
  }

  function renderActivity(conversation, activity) {
    const who = activity.from?.name ? activity.from.name : activity.direction;
    const header = el(
      'div',
      { class: 'activity-header' },
      el('strong', {}, who),
      el('span', { class: 'muted' }, new Date(activity.timestamp).toLocaleString()),
      activity.updatedAt && !activity.deleted ? el('span', { class: 'badge' }, 'updated') : null,
      activity.deleted ? el('span', { class: 'badge' }, 'deleted') : null,
    );
    const body = [];
    if (activity.type === 'invoke') {
      const status = activity.delivery ? activity.delivery.status : '…';
      body.push(el('code', {}, `invoke ${activity.name} → ${status}`));
    } else if (activity.type === 'conversationUpdate') {
      body.push(el('code', {}, 'conversationUpdate (app installed)'));
    } else if (activity.text) {
      body.push(el('p', { class: 'text' }, activity.text));
    }
    if (!activity.deleted) {
      for (const attachment of activity.attachments) {
        if (attachment.contentType !== ADAPTIVE_CARD) {
          body.push(el('pre', {}, JSON.stringify(attachment, null, 2)));
          continue;
        }
        body.push(
          el(
            'div',
            { class: 'card' },
            renderCard(
              attachment.content,
              (action) => run(() => pressButton(conversation.id, activity.id, action)),
              // Action.Submit with msteams.type "task/fetch" opens a dialog (Teams sends task/fetch).
              (action) => run(() => openDialog(conversation.id, activity.id, action.data || {})),
            ),
          ),
        );
      }
    }
    if (activity.delivery?.error) {
      body.push(el('p', { class: 'error' }, activity.delivery.error));
    }
    return el(
      'li',
      { class: `activity ${activity.direction}`, 'data-activity-id': activity.id },
      header,
      body,
    );
  }

  async function pressButton(conversationId, activityId, action) {
    setStatus(`Pressing "${action.title || action.verb}"…`);
    const result = await api(tenantPath('/act/card-action'), {
      method: 'POST',
      body: {
        userId: actingUserId(),
        conversationId,
        activityId,
        verb: action.verb,
        data: action.data || {},
        ...(action.id ? { actionId: action.id } : {}),
        ...(action.title ? { title: action.title } : {}),
      },
    });
    showAnswer(result);
    await loadConversations();
  }

  async function openDialog(conversationId, activityId, data) {
    if (data?.msteams?.type !== 'task/fetch') {
      setStatus('Action.Submit outside a dialog is not routed by the sandbox.', true);
      return;
    }
    setStatus('Opening the dialog…');
    const dialog = { conversationId, activityId };
    const result = await api(tenantPath('/act/dialog'), {
      method: 'POST',
      body: { userId: actingUserId(), conversationId, activityId, kind: 'fetch', data },
    });
    showAnswer(result, dialog);
  }

  async function submitDialog(dialog, data) {
    setStatus('Submitting the dialog…');
    const result = await api(tenantPath('/act/dialog'), {
      method: 'POST',
      body: { userId: actingUserId(), ...dialog, kind: 'submit', data },
    });
    showAnswer(result, dialog);
    await loadConversations();
  }

  function showAnswer(result, dialog) {
    const { delivery } = result;
    setStatus(
      delivery.error ? delivery.error : `Bot answered ${delivery.status} in ${delivery.elapsedMs} ms`,
      Boolean(delivery.error) || delivery.status >= 400,
    );
    const parts = [el('h3', {}, `Bot answer (${delivery.status || 'unreachable'})`)];
    const body = delivery.body;
    const cards = [];
    if (body?.composeExtension && Array.isArray(body.composeExtension.attachments)) {
      for (const a of body.composeExtension.attachments) cards.push(a);
    }
    if (body?.task?.value?.card) {
      const card = body.task.value.card;
      cards.push(card.contentType ? card : { contentType: ADAPTIVE_CARD, content: card });
    }
    if (body && body.type === ADAPTIVE_CARD && body.value)
      cards.push({ contentType: ADAPTIVE_CARD, content: body.value });
    for (const attachment of cards) {
      parts.push(
        attachment.contentType === ADAPTIVE_CARD
          ? el(
              'div',
              { class: 'card' },
              renderCard(
                attachment.content,
                undefined,
                dialog ? (action) => run(() => submitDialog(dialog, action.data || {})) : undefined,
              ),
            )
          : el('pre', {}, JSON.stringify(attachment, null, 2)),
      );
    }
    if (body !== null && body !== undefined) parts.push(el('pre', {}, JSON.stringify(body, null, 2)));
    if (result.replies.length)
      parts.push(el('p', { class: 'muted' }, `${result.replies.length} message(s) sent back`));
    $('bot-answer').replaceChildren(...parts);
  }

  // ---- forms and header -----------------------------------------------------------------------

  $('message-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      const targetValue = $('message-target').value;
      const result = await api(tenantPath('/act/message'), {
        method: 'POST',
        body: {
          userId: actingUserId(),
          text: $('message-text').value,
          conversation: targetValue === 'personal' ? 'personal' : JSON.parse(targetValue),
        },
      });
      $('message-text').value = '';
      state.conversationId = result.conversationId;
      showAnswer(result);
      await loadConversations();
    });
  });

  $('extension-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      const kind = $('extension-kind').value;
      const input = $('extension-input').value;
      const body = { userId: actingUserId(), kind, commandId: $('extension-command').value };
      if (kind === 'query') body.parameters = [{ name: 'searchQuery', value: input }];
      if (kind === 'submitAction') body.data = input ? JSON.parse(input) : {};
      showAnswer(await api(tenantPath('/act/message-extension'), { method: 'POST', body }));
    });
  });

  $('tenant').addEventListener('change', (event) => run(() => selectTenant(event.target.value)));

  $('reset').addEventListener('click', () =>
    run(async () => {
      await api('/sandbox/api/reset', { method: 'POST' });
      state.conversationId = null;
      $('conversation').replaceChildren();
      $('bot-answer').replaceChildren();
      await loadTenants();
      setStatus('Sandbox reset to the seed.');
    }),
  );

  async function loadFaults() {
    const select = $('fault-profile');
    try {
      const faults = await api('/sandbox/api/faults');
      const listed = faults.profiles || faults.available || ['none', 'realistic', 'strict'];
      const names = listed.map((p) => (typeof p === 'string' ? p : p.name));
      const current =
        faults.profile && typeof faults.profile === 'object' ? faults.profile.name : faults.profile;
      select.replaceChildren(...names.map((n) => el('option', { value: n, selected: n === current }, n)));
      select.disabled = false;
    } catch {
      select.replaceChildren(el('option', {}, 'unavailable'));
      select.disabled = true;
    }
  }

  $('fault-profile').addEventListener('change', (event) =>
    run(async () => {
      await api('/sandbox/api/faults', { method: 'PUT', body: { profile: event.target.value } });
      setStatus(`Fault profile: ${event.target.value}`);
    }),
  );

  // New bot messages (proactive sends, replies) show up without a reload.
  setInterval(() => {
    if (document.visibilityState === 'visible' && state.tenant) run(() => loadConversations(false));
  }, 5000);

  run(async () => {
    await Promise.all([loadTenants(), loadFaults()]);
  });
})();
