// CPU accounting for the benchmarks (Linux /proc): what the measured processes used during a span, and
// what the rest of the machine used meanwhile, so that a run disturbed by other work says so.
import { readFile } from 'node:fs/promises';
import os from 'node:os';

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ, fixed at 100 on every common platform). */
const MS_PER_TICK = 10;

/** Busy CPU time of the whole machine (all cores), or NaN where /proc is missing. */
async function machineBusyMs(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => '');
  const fields = /^cpu\s+(.*)$/m.exec(stat)?.[1]?.split(/\s+/).map(Number);
  if (!fields) return Number.NaN;
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
}

/** User + system CPU time of one process (all its threads), or 0 once it has gone. */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return 0;
  // The command name may contain spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

export interface CpuSpan {
  /** CPU seconds of the measured processes. */
  ownSeconds: number;
  /** CPU seconds used by everything else on the machine meanwhile. */
  otherSeconds: number;
  /** `otherSeconds` as a share of the machine's capacity over the span (0–1). */
  otherShare: number;
}

/**
 * Starts measuring the CPU of `pids` (children: the sandbox, Trellis processes) and, unless `self` is
 * false, of this process; the returned function ends the span.
 */
export async function startCpuSpan(
  pids: readonly number[],
  options: { self?: boolean } = {},
): Promise<() => Promise<CpuSpan>> {
  const ownOf = async () => {
    const usage = process.cpuUsage();
    const self = options.self === false ? 0 : (usage.user + usage.system) / 1000;
    const children = await Promise.all(pids.map(processCpuMs));
    return self + children.reduce((a, b) => a + b, 0);
  };
  const [own0, busy0] = await Promise.all([ownOf(), machineBusyMs()]);
  const started = performance.now();
  return async () => {
    const [own1, busy1] = await Promise.all([ownOf(), machineBusyMs()]);
    const wallMs = performance.now() - started;
    const ownMs = own1 - own0;
    // Tick granularity can make the difference slightly negative on an otherwise idle machine.
    const otherMs = Math.max(0, busy1 - busy0 - ownMs);
    return {
      ownSeconds: +(ownMs / 1000).toFixed(1),
      otherSeconds: +(otherMs / 1000).toFixed(1),
      otherShare: +(otherMs / (wallMs * os.availableParallelism())).toFixed(2),
    };
  };
}
