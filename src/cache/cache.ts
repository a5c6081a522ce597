/** JSON values with a time to live; in-process LRU by default, Redis when configured. */
export interface Cache {
  readonly name: 'memory' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds `by` to a counter that expires `ttlMs` after it was created; returns the new value. */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  /**
   * Stores the number `value` (living `ttlMs`) unless the key already holds a number at least as great,
   * atomically; returns the number the key holds afterwards. Optional: a backend that cannot do it
   * atomically leaves it out, and callers fall back to get-then-set.
   */
  setIfGreater?(key: string, value: number, ttlMs: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
