import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errors } from '../../errors/index.ts';
import { describeError, parseCommand } from './activity-handlers.ts';

describe('bot commands', () => {
  test('commands are recognized in English and French, mentions stripped, longest phrase first', () => {
    assert.deepEqual(parseCommand('help'), { command: 'help', rest: '' });
    assert.deepEqual(parseCommand('<at>Trellis</at> status 1234'), { command: 'status', rest: '1234' });
    assert.deepEqual(parseCommand('New Team please'), { command: 'newTeam', rest: 'please' });
    assert.deepEqual(parseCommand('my requests'), { command: 'myRequests', rest: '' });
    assert.deepEqual(parseCommand('mes demandes'), { command: 'myRequests', rest: '' });
    assert.deepEqual(parseCommand('nouvelle équipe'), { command: 'newTeam', rest: '' });
    assert.deepEqual(parseCommand('statut abc'), { command: 'status', rest: 'abc' });
    assert.deepEqual(parseCommand('approbations'), { command: 'approvals', rest: '' });
    assert.deepEqual(parseCommand('  <p>modèles</p> '), { command: 'templates', rest: '' });
    assert.deepEqual(parseCommand('helpful'), { command: null, rest: 'helpful' });
  });

  test('errors read as sentences, with the fields that failed', () => {
    assert.equal(describeError(errors.notFound('Request x')), 'Request x not found');
    const withFields = errors.validation('The request is invalid', {
      fields: [{ field: 'name', message: 'is required' }],
    });
    assert.equal(describeError(withFields), 'The request is invalid (name: is required)');
    assert.equal(describeError(new Error('boom')), 'boom');
  });
});
