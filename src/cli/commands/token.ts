import Table from 'cli-table3';
import { Command } from 'commander';
import { API_TOKEN_SCOPES, createApiTokenService, DEFAULT_TOKEN_DAYS } from '../../identity/index.ts';
import { resolveTenant } from '../resolve-tenant.ts';
import { CLI_ACTOR, withDb } from '../with-db.ts';

/** `trellis token create|list|revoke`: API tokens for integrators, shown once at creation. */
export function tokenCommand(): Command {
  const token = new Command('token').description('API tokens');
  token
    .command('create')
    .description('Create an API token (printed once)')
    .requiredOption('--tenant <slug>', 'tenant slug or id')
    .requiredOption('--name <name>', 'what the token is for')
    .requiredOption('--scopes <list>', `comma-separated: ${API_TOKEN_SCOPES.join(', ')}`)
    .option('--expires-in-days <days>', `1-366 (default ${DEFAULT_TOKEN_DAYS})`)
    .option('--json', 'machine-readable output')
    .action(
      async (options: {
        tenant: string;
        name: string;
        scopes: string;
        expiresInDays?: string;
        json?: boolean;
      }) => {
        const created = await withDb(async (db) => {
          const { tenantId } = await resolveTenant(db, options.tenant);
          return createApiTokenService({ db }).create(tenantId, {
            name: options.name,
            scopes: options.scopes
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            ...(options.expiresInDays === undefined ? {} : { expiresInDays: Number(options.expiresInDays) }),
            actor: CLI_ACTOR,
          });
        });
        if (options.json) process.stdout.write(`${JSON.stringify(created)}\n`);
        else
          process.stdout.write(
            `${created.token}\n\nToken ${created.tokenId} (${created.scopes.join(', ')}), expires ${created.expiresAt}.\n` +
              'Copy it now: it is not stored and cannot be shown again.\n',
          );
      },
    );
  token
    .command('list')
    .description('List API tokens (hints only)')
    .requiredOption('--tenant <slug>', 'tenant slug or id')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; json?: boolean }) => {
      const list = await withDb(async (db) =>
        createApiTokenService({ db }).list((await resolveTenant(db, options.tenant)).tenantId),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(list)}\n`);
        return;
      }
      const table = new Table({
        head: ['id', 'name', 'hint', 'scopes', 'status', 'expires', 'last used'],
        style: { head: [], border: [] },
      });
      for (const t of list)
        table.push([
          t.tokenId,
          t.name,
          t.hint,
          t.scopes.join(' '),
          t.status,
          t.expiresAt.slice(0, 10),
          t.lastUsedAt ?? 'never',
        ]);
      process.stdout.write(`${table.toString()}\n`);
    });
  token
    .command('revoke')
    .description('Revoke an API token')
    .requiredOption('--tenant <slug>', 'tenant slug or id')
    .argument('<tokenId>', 'the token id from "trellis token list"')
    .action(async (tokenId: string, options: { tenant: string }) => {
      const info = await withDb(async (db) =>
        createApiTokenService({ db }).revoke(
          (await resolveTenant(db, options.tenant)).tenantId,
          tokenId,
          CLI_ACTOR,
        ),
      );
      process.stdout.write(`Revoked ${info.name} (${info.hint}).\n`);
    });
  return token;
}
