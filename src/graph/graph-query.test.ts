import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphPath, odataString, searchPhrase, toQueryString } from './graph-query.ts';

test('OData string literals double their quotes', () => {
  assert.equal(odataString("O'Neil's"), "'O''Neil''s'");
  assert.equal(odataString(''), "''");
});

test('$search phrases escape double quotes and backslashes', () => {
  assert.equal(searchPhrase('displayName', 'say "hi" \\o/'), '"displayName:say \\"hi\\" \\\\o/"');
});

test('query strings keep $ keys literal and percent-encode values (spaces never as +)', () => {
  assert.equal(
    toQueryString({ select: ['id', 'displayName'], filter: "displayName eq 'A&B'", top: 5, count: true }),
    "$select=id%2CdisplayName&$filter=displayName%20eq%20'A%26B'&$top=5&$count=true",
  );
  assert.equal(toQueryString({ extra: { $format: 'application/json' } }), '$format=application%2Fjson');
  assert.equal(toQueryString(undefined), '');
  assert.equal(toQueryString({ select: [] }), '');
});

test('graphPath encodes each value as one segment', () => {
  assert.equal(graphPath`/users/${'../groups?x=1'}/manager`, '/users/..%2Fgroups%3Fx%3D1/manager');
  assert.equal(
    graphPath`/users/${'ann_fabrikam.com#EXT#@contoso.com'}`,
    '/users/ann_fabrikam.com%23EXT%23%40contoso.com',
  );
});
