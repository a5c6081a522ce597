/** Fault injection (throttling, replication lag, transient errors, latency); see faults/README.md. */
export interface FaultEngine {
  readonly profile: string;
}

export function createFaultEngine(profile: string): FaultEngine {
  return { profile };
}
