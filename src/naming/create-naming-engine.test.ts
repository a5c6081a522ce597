import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../errors/index.ts';
import { createNamingEngine } from './create-naming-engine.ts';
import type { NamingContext, NamingRules, NamingViolation } from './naming-types.ts';

const engine = createNamingEngine();

const context: NamingContext = {
  request: { name: 'Q3 Launch', inputs: { client: 'Fabrikam', code: '42' } },
  requester: {
    displayName: 'Zoë Åberg',
    department: 'Marketing Operations',
    country: 'Sweden',
    jobTitle: 'Campaign Lead',
    officeLocation: 'Stockholm',
    mail: 'zoe@contoso.com',
  },
  metadata: { costCenter: 'CC-7001', region: { code: 'EMEA' }, seq: 7 },
  now: new Date('2026-03-05T23:30:00Z'),
  template: { slug: 'project', name: 'Project' },
};

/** The violations an AppError from render() carries, or fails the test. */
async function violationsOf(rules: NamingRules, ctx = context): Promise<NamingViolation[]> {
  try {
    await engine.render(rules, ctx);
  } catch (e) {
    assert.ok(e instanceof AppError, 'render throws AppError');
    assert.equal(e.code, 'validation_failed');
    return (e.details?.violations ?? []) as NamingViolation[];
  }
  assert.fail('render should have been refused');
}

describe('rendering naming rules', () => {
  test('every context part reaches the templates: profile, inputs, metadata, template and dates', async () => {
    const names = await engine.render(
      {
        displayName: '{{ requester.department }} - {{ request.name }} ({{ requester.country }})',
        mailNickname:
          '{{ template.slug }}-{{ request.inputs.client | slug }}-{{ metadata.costCenter | lower }}',
        description:
          'Run by {{ requester.jobTitle }} in {{ requester.officeLocation }} for {{ metadata.region.code }}',
        welcomeMessage:
          'Opened {{ now | date: "%Y-%m-%d %H:%M" }} by {{ requester.displayName }} ({{ template.name }})',
      },
      context,
    );
    assert.deepEqual(names, {
      displayName: 'Marketing Operations - Q3 Launch (Sweden)',
      mailNickname: 'project-fabrikam-cc-7001',
      description: 'Run by Campaign Lead in Stockholm for EMEA',
      welcomeMessage: 'Opened 2026-03-05 23:30 by Zoë Åberg (Project)',
    });
  });

  test('dates follow the configured time zone (UTC by default)', async () => {
    const paris = createNamingEngine({ timezone: 'Europe/Paris' });
    const rules = { displayName: '{{ now | date: "%Y-%m-%d" }}' };
    assert.equal((await engine.render(rules, context)).displayName, '2026-03-05');
    assert.equal((await paris.render(rules, context)).displayName, '2026-03-06');
  });

  test('custom filters: slug, initials, pad, upper/lower, and built-in truncate', async () => {
    const names = await engine.render(
      {
        displayName:
          '{{ requester.department | initials }}-{{ metadata.seq | pad: 4 }} {{ "Crème Brûlée & Co" | slug }} ' +
          '{{ request.name | upper }} {{ request.name | lower }} {{ "abcdefghij" | truncate: 6 }}',
      },
      context,
    );
    assert.equal(names.displayName, 'MO-0007 creme-brulee-co Q3 LAUNCH q3 launch abc...');
  });

  test('without a nickname rule the nickname is derived from the display name, accents removed', async () => {
    const names = await engine.render({ displayName: 'Équipe {{ requester.displayName }} – R&D' }, context);
    assert.equal(names.displayName, 'Équipe Zoë Åberg – R&D');
    assert.equal(names.mailNickname, 'Equipe-Zoe-Aberg-R-D');
    assert.equal(names.description, undefined);
  });

  test('multi-line rules give single-line names; a blank profile attribute renders empty', async () => {
    const names = await engine.render(
      {
        displayName: '{% if requester.department != "" %}\n  {{ requester.department }}\n{% endif %}  Team ',
      },
      { ...context, requester: { displayName: 'No Dept' } },
    );
    assert.equal(names.displayName, 'Team');
  });

  test('optional metadata can be guarded with if/default instead of failing', async () => {
    const names = await engine.render(
      { displayName: '{{ metadata.missing | default: "General" }}{% if metadata.nope %} X{% endif %}' },
      context,
    );
    assert.equal(names.displayName, 'General');
  });
});

describe('refused rules name the field and the culprit', () => {
  test('an unknown variable', async () => {
    const [v, ...rest] = await violationsOf({ displayName: 'ok', description: '{{ requester.salary }}' });
    assert.equal(rest.length, 0);
    assert.equal(v?.field, 'description');
    assert.equal(v?.code, 'unknown_variable');
    assert.equal(v?.name, 'requester.salary');
    assert.match(v?.message ?? '', /requester\.salary.*description/);
  });

  test('an unknown filter', async () => {
    const [v] = await violationsOf({ displayName: '{{ request.name | shout }}' });
    assert.deepEqual([v?.field, v?.code, v?.name], ['displayName', 'unknown_filter', 'shout']);
    assert.match(v?.message ?? '', /"shout".*displayName/);
  });

  test('errors in several fields are all reported, and the AppError message names the first field', async () => {
    await assert.rejects(
      engine.render({ displayName: '{{ nope }}', mailNickname: '{{ x | y }}' }, context),
      (e: unknown) =>
        e instanceof AppError &&
        e.message.startsWith('displayName:') &&
        (e.details?.violations as NamingViolation[]).map((v) => v.field).join() ===
          'displayName,mailNickname',
    );
  });

  for (const tag of [
    '{% include "secrets" %}',
    '{% render "x" %}',
    '{% layout "base" %}',
    '{% liquid\ninclude "x" %}',
  ]) {
    test(`file-system tag refused: ${tag.replace('\n', ' ')}`, async () => {
      const [v] = await violationsOf({ displayName: 'ok', welcomeMessage: tag });
      assert.equal(v?.field, 'welcomeMessage');
      assert.equal(v?.code, 'forbidden_tag');
      assert.match(v?.name ?? '', /^(include|render|layout)$/);
    });
  }

  test('a syntax error is reported as such', async () => {
    const [v] = await violationsOf({ displayName: '{% if request.name %}unclosed' });
    assert.deepEqual([v?.field, v?.code], ['displayName', 'syntax_error']);
  });

  test('an empty display name rule is refused', async () => {
    const [v] = await violationsOf({ displayName: '  ' });
    assert.deepEqual([v?.field, v?.code], ['displayName', 'required']);
  });
});

describe('sandbox', () => {
  test('a runaway nested loop is stopped by the render time limit, quickly', async () => {
    // Memory budget lifted so that only the clock can stop this loop (10^10 iterations otherwise).
    const timed = createNamingEngine({ limits: { renderMs: 100, memory: Number.MAX_SAFE_INTEGER } });
    const started = performance.now();
    await assert.rejects(
      timed.render(
        { displayName: '{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}' },
        context,
      ),
      (e: unknown) =>
        e instanceof AppError && (e.details?.violations as NamingViolation[])[0]?.code === 'limit_exceeded',
    );
    assert.ok(performance.now() - started < 2_000, 'stopped within two seconds');
  });

  test('a huge range is stopped by the memory limit before it is built', async () => {
    const [v] = await violationsOf({ displayName: '{% for i in (1..1000000000) %}x{% endfor %}' });
    assert.equal(v?.code, 'limit_exceeded');
  });

  test('an over-long template is refused by the parse limit', async () => {
    const tiny = createNamingEngine({ limits: { templateLength: 100 } });
    await assert.rejects(
      tiny.render({ displayName: 'x'.repeat(101) }, context),
      (e: unknown) =>
        e instanceof AppError && (e.details?.violations as NamingViolation[])[0]?.code === 'limit_exceeded',
    );
  });

  test('JavaScript- or template-looking input is rendered as inert text', async () => {
    const hostile = '<%= process.exit(1) %> ${process.env.HOME} {{ 7*7 }} {% include "x" %}';
    const names = await engine.render(
      { displayName: '{{ request.name }}', description: '{{ request.inputs.client }}' },
      { ...context, request: { name: hostile, inputs: { client: '`rm -rf /`' } } },
    );
    assert.equal(names.displayName, hostile);
    assert.equal(names.description, '`rm -rf /`');
  });

  test('prototype members are unreachable: constructor and __proto__ yield nothing', async () => {
    const names = await engine.render(
      {
        displayName:
          '[{{ request.constructor | default: "" }}|{{ metadata.__proto__ | default: "" }}|' +
          '{{ request.name.constructor | default: "" }}|{{ now.constructor | default: "" }}|' +
          '{{ requester.toString | default: "" }}]',
      },
      context,
    );
    assert.equal(names.displayName, '[||||]');
    const [v] = await violationsOf({ displayName: '{{ request.constructor.name }}' });
    assert.equal(v?.code, 'unknown_variable');
  });

  test('only the five documented context names are visible to templates', async () => {
    const leaky = { ...context, secret: 'token' } as NamingContext;
    const [v] = await violationsOf({ displayName: '{{ secret }}' }, leaky);
    assert.deepEqual([v?.code, v?.name], ['unknown_variable', 'secret']);
  });
});

describe('validateRules at template save time', () => {
  test('a sound rule set has no violations', async () => {
    assert.deepEqual(
      await engine.validateRules({
        displayName: '{{ requester.department }} - {{ request.name }}',
        mailNickname: '{{ request.name | slug }}',
        description: '{{ now | date: "%Y" }}',
      }),
      [],
    );
  });

  test('reports syntax errors, forbidden tags and unknown variables with their fields', async () => {
    const violations = await engine.validateRules({
      displayName: '{{ request.name }',
      mailNickname: '{% include "x" %}',
      description: '{{ requester.shoeSize }}',
      welcomeMessage: '{{ request.name | nope }}',
    });
    assert.deepEqual(
      violations.map((v) => `${v.field}:${v.code}`),
      [
        'displayName:syntax_error',
        'mailNickname:forbidden_tag',
        'description:unknown_variable',
        'welcomeMessage:unknown_filter',
      ],
    );
  });

  test('metadata the template defines can be supplied as a sample', async () => {
    const rules = { displayName: '{{ metadata.costCenter }} {{ request.inputs.client }}' };
    assert.equal((await engine.validateRules(rules))[0]?.code, 'unknown_variable');
    assert.deepEqual(
      await engine.validateRules(rules, {
        metadata: { costCenter: 'CC-1' },
        request: { name: 'x', inputs: { client: 'Fabrikam' } },
      }),
      [],
    );
  });

  test('a rule that always yields an invalid nickname is caught on the sample', async () => {
    const violations = await engine.validateRules({ displayName: 'x', mailNickname: '{{ request.name }}' });
    assert.deepEqual(
      violations.map((v) => `${v.field}:${v.code}`),
      ['mailNickname:invalid_character'],
    );
  });
});
