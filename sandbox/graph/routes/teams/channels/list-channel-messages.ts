import { botState } from '../../../../botframework/world.ts';
import { collection } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { requireChannel, requireTeam } from '../../../model/teams.ts';

/**
 * `GET /teams/{id}/channels/{channelId}/messages`: the root messages of the channel's threads, newest
 * first. The sandbox's channel messages are those bots posted through the Connector (users' posts are
 * not modelled); each is a chatMessage from an application.
 */
export const listChannelMessages: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/channels/:channelId/messages',
  permissions: PERMISSIONS.channelMessagesRead,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const channel = requireChannel(call.graph, team.id, call.params.channelId ?? '');
    const bot = botState(call.tenant);
    const roots = bot.conversations
      .filter((c) => c.conversationType === 'channel' && c.channelId === channel.id)
      .flatMap((c) => {
        const root = c.activities.find(
          (a) => a.direction === 'fromBot' && !a.deleted && a.replyToId === null,
        );
        if (!root) return [];
        const activity = root.activity;
        const registration = bot.registrations.find((r) => r.appId === c.botAppId);
        const html = activity.textFormat === 'xml';
        return [
          {
            id: root.id,
            replyToId: null,
            etag: root.id,
            messageType: 'message',
            createdDateTime: root.timestamp,
            lastModifiedDateTime: root.updatedAt ?? root.timestamp,
            deletedDateTime: null,
            subject: null,
            importance: 'normal',
            locale: 'en-us',
            webUrl: null,
            channelIdentity: { teamId: team.id, channelId: channel.id },
            from: {
              user: null,
              device: null,
              application: {
                id: c.botAppId,
                displayName: registration?.displayName ?? null,
                applicationIdentityType: 'bot',
              },
            },
            body: { contentType: html ? 'html' : 'text', content: String(activity.text ?? '') },
            attachments: [],
            mentions: [],
            reactions: [],
          },
        ];
      })
      .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
    return collection(call, roots, {
      context: `teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/messages`,
      entityType: 'microsoft.graph.chatMessage',
    });
  },
};
