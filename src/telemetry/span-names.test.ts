import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphUrlTemplate } from './client-span.ts';
import { summarizeSql } from './db-spans.ts';

test('Graph URLs are grouped by operation, with no identifier, name or path left in them', () => {
  const cases: [string, string][] = [
    ['/v1.0/groups/0b3c4d5e-1111-4a2b-9c3d-0123456789ab/team', '/v1.0/groups/{id}/team'],
    [
      '/v1.0/teams/0b3c4d5e-1111-4a2b-9c3d-0123456789ab/channels/19%3Aabc%40thread.tacv2/tabs',
      '/v1.0/teams/{id}/channels/{id}/tabs',
    ],
    ['/v1.0/users/adele.vance%40contoso.onmicrosoft.com/manager', '/v1.0/users/{id}/manager'],
    [
      '/v1.0/drives/b!AbC123/items/01ABCDEF:/General/Project%20charter.md:/content',
      '/v1.0/drives/{id}/items/{id}:{path}:/content',
    ],
    ['/v1.0/drives/b!AbC123/items/01ABCDEF:/Risks/Plans:', '/v1.0/drives/{id}/items/{id}:{path}:'],
    ['/v1.0/teams/abc-123/photo/$value', '/v1.0/teams/{id}/photo/$value'],
    [
      '/v1.0/groups/abc-123/transitiveMembers/microsoft.graph.user',
      '/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user',
    ],
    ['/v1.0/planner/plans/xqQg5FS2LkCp935s-FIFm2QAFkHM/buckets', '/v1.0/planner/plans/{id}/buckets'],
    ['/v1.0/appCatalogs/teamsApps/com.microsoft.teamspace.tab.web', '/v1.0/appCatalogs/teamsApps/{id}'],
    ['/teams/v3/conversations', '/teams/v3/conversations'],
    ['/beta/teams', '/beta/teams'],
  ];
  for (const [path, template] of cases) assert.equal(graphUrlTemplate(path), template, path);
});

test('queries are summarised by operation and table, never by their text', () => {
  assert.deepEqual(summarizeSql('select "request_id", "status" from "requests" where "tenant_id" = $1'), {
    operation: 'SELECT',
    table: 'requests',
    summary: 'SELECT requests',
  });
  assert.equal(
    summarizeSql('insert into "domain_events" ("tenant_id") values ($1)').summary,
    'INSERT domain_events',
  );
  assert.equal(
    summarizeSql('update "provisioning_runs" set "status" = $1').summary,
    'UPDATE provisioning_runs',
  );
  assert.equal(summarizeSql('delete from pgboss.job where id = $1').summary, 'DELETE pgboss.job');
  assert.equal(summarizeSql("select set_config('app.tenant_id', $1, true)").summary, 'SELECT');
  assert.equal(summarizeSql('WITH next AS (select 1) select * from next').summary, 'WITH');
  // A literal in the text never reaches the summary.
  assert.equal(summarizeSql("update users set secret = 'hunter2'").summary, 'UPDATE users');
});
