/** JSON values with a time to live; in-process LRU by default, Redis when configured. */
export interface Cache {
  readonly name: 'memory' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds `by` to a counter that expires `ttlMs` after it was created; returns the new value. */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
