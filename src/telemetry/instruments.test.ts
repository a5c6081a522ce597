import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { instruments, meterProviderWithoutGauges } from './instruments.ts';
import { createLogger } from './logger.ts';
import { installTelemetry } from './otel.ts';

test('a provider without gauges passes every other instrument through to the installed one', async () => {
  const telemetry = await installTelemetry({
    log: createLogger('silent'),
    spanExporters: [],
    metricExporters: [],
    prometheus: true,
  });
  try {
    const meter = meterProviderWithoutGauges().getMeter('library');
    meter.createCounter('library.sent').add(2, { queue: 'q' });
    meter.createObservableGauge('library.depth').addCallback((r) => r.observe(7));
    metrics
      .getMeterProvider()
      .getMeter('library')
      .createObservableGauge('library.workers')
      .addCallback((r) => r.observe(3));
    instruments().provisioningDuration.record(12.5, { status: 'completed' });
    const text = (await telemetry.prometheusText()) ?? '';
    assert.match(text, /^library_sent_total\{[^}]*queue="q"[^}]*\} 2$/m);
    assert.match(text, /^library_workers(\{[^}]*\})? 3$/m, 'gauges of the installed provider are reported');
    assert.doesNotMatch(text, /library_depth/, 'the gauge went nowhere');
    assert.match(text, /^trellis_provisioning_duration_sum\{[^}]*status="completed"[^}]*\} 12\.5$/m);
  } finally {
    await telemetry.shutdown();
  }
  // Uninstalled: the API is back to its no-op implementation.
  assert.equal(
    await (
      await installTelemetry({
        log: createLogger('silent'),
        spanExporters: [],
        metricExporters: [],
        prometheus: false,
      })
    ).prometheusText(),
    null,
  );
});
