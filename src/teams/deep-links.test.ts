import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  botChatLink,
  channelLink,
  chatLink,
  entityLink,
  MAX_DEEP_LINK_LENGTH,
  teamLink,
} from './deep-links.ts';

const TENANT = '6c1a9f0e-2b7d-4c55-9a11-1f2e3d4c5b6a';
const GROUP = '0b6b3f7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

describe('deep links', () => {
  test('a team link uses the General channel thread id and encodes every part', () => {
    const link = new URL(
      teamLink({ generalChannelId: '19:abc@thread.tacv2', groupId: GROUP, tenantId: TENANT }),
    );
    assert.equal(link.origin, 'https://teams.microsoft.com');
    assert.equal(link.pathname, '/l/team/19%3Aabc%40thread.tacv2/conversations');
    assert.equal(link.searchParams.get('groupId'), GROUP);
    assert.equal(link.searchParams.get('tenantId'), TENANT);
  });

  test('a channel link carries the encoded channel name', () => {
    const link = channelLink({
      channelId: '19:x@thread.tacv2',
      channelName: 'Design & Build',
      groupId: GROUP,
      tenantId: TENANT,
    });
    assert.match(link, /\/l\/channel\/19%3Ax%40thread\.tacv2\/Design%20%26%20Build\?/);
    assert.equal(new URL(link).searchParams.get('groupId'), GROUP);
  });

  test('a chat link lists UPNs, a topic only for group chats, and a prefilled message', () => {
    const one = new URL(
      chatLink({ tenantId: TENANT, users: ['megan@contoso.com'], topicName: 'T', message: 'Hi & bye' }),
    );
    assert.equal(one.pathname, '/l/chat/0/0');
    assert.equal(one.searchParams.get('users'), 'megan@contoso.com');
    assert.equal(one.searchParams.get('topicName'), null);
    assert.equal(one.searchParams.get('message'), 'Hi & bye');
    const group = new URL(
      chatLink({ tenantId: TENANT, users: ['a@contoso.com', 'b@contoso.com'], topicName: 'Budget' }),
    );
    assert.equal(group.searchParams.get('users'), 'a@contoso.com,b@contoso.com');
    assert.equal(group.searchParams.get('topicName'), 'Budget');
    assert.throws(() => chatLink({ tenantId: TENANT, users: ['not-a-upn'] }), /user principal name/);
  });

  test('a long prefilled message is shortened to keep the link under the Windows limit', () => {
    const link = chatLink({ tenantId: TENANT, users: ['megan@contoso.com'], message: 'é'.repeat(3000) });
    assert.ok(link.length <= MAX_DEEP_LINK_LENGTH, `${link.length}`);
    assert.ok(new URL(link).searchParams.get('message')?.endsWith('…'));
  });

  test('an entity link opens a tab on one item through the encoded context', () => {
    const link = new URL(
      entityLink({
        appId: 'app-1',
        entityId: 'requests',
        tenantId: TENANT,
        subEntityId: 'req-42',
        label: 'My requests',
      }),
    );
    assert.equal(link.pathname, '/l/entity/app-1/requests');
    assert.deepEqual(JSON.parse(link.searchParams.get('context') ?? ''), { subEntityId: 'req-42' });
    assert.equal(link.searchParams.get('label'), 'My requests');
    assert.match(
      botChatLink({ appId: 'app-1', tenantId: TENANT }),
      /\/l\/entity\/app-1\/conversations\?tenantId=/,
    );
  });
});
