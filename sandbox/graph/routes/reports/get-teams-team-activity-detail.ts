import { signDownload } from '../../http/download-tokens.ts';
import { graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { PERIODS, type Period, teamActivityJson, teamActivityRows } from '../../model/activity.ts';

/**
 * `GET /reports/getTeamsTeamActivityDetail(period='D7'|'D30'|'D90'|'D180')`: 302 to a pre-authenticated CSV
 * download, as Microsoft 365 answers; with `$format=application/json`, the JSON rows directly.
 */
export const getTeamsTeamActivityDetail: GraphRoute = {
  method: 'GET',
  url: '/v1.0/reports/:report',
  permissions: PERMISSIONS.reports,
  handler: (call) => {
    const report = call.params.report ?? '';
    const match = /^getTeamsTeamActivityDetail\(period=(?:'|%27)(\w+)(?:'|%27)\)$/.exec(report);
    if (!match) {
      if (/^getTeamsTeamActivityDetail\b/.test(report)) {
        throw graphErrors.badRequest(
          "Give a period: getTeamsTeamActivityDetail(period='D7'), D30, D90 or D180.",
        );
      }
      throw graphErrors.badRequest(`Resource not found for the segment '${report}'.`);
    }
    const period = match[1] as Period;
    if (!(period in PERIODS))
      throw graphErrors.badRequest(`Invalid period '${period}' (D7, D30, D90 or D180).`);
    const format = call.query.$format;
    if (format !== undefined && format !== 'application/json' && format !== 'text/csv') {
      throw graphErrors.badRequest(`Unsupported $format '${format}'.`);
    }
    if (format === 'application/json') {
      return {
        '@odata.context': `${call.base}/$metadata#Collection(microsoft.graph.teamActivityDetail)`,
        value: teamActivityJson(teamActivityRows(call.tenant, call.graph, period, call.now)),
      };
    }
    const token = signDownload({ t: call.tenant.id, p: period, r: 'getTeamsTeamActivityDetail' });
    call.reply
      .code(302)
      .type('text/plain')
      .header('Location', `${call.ctx.config.origin}/data/download/${token}`);
    return undefined;
  },
};
