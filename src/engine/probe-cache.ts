import type { ExecResult } from '../transport/types.js';

/**
 * Probe results by host and exact command text, read in batches ahead of time. Anything a step
 * changes may be seen from every host (shared storage, a service another host uses): before and
 * after each step, every result read so far is forgotten, and reads under way then are not kept.
 */
export class ProbeCache {
  private readonly byHost = new Map<string, Map<string, ExecResult>>();
  /** Counts forgetAll() calls: a read is kept only if none happened while it ran. */
  private generation = 0;

  get(host: string, text: string): ExecResult | undefined {
    return this.byHost.get(host)?.get(text);
  }

  has(host: string, text: string): boolean {
    return this.byHost.get(host)?.has(text) ?? false;
  }

  /** Marks the start of a read, for remember(). */
  readStart(): number {
    return this.generation;
  }

  /** Keeps a result for later tasks, unless a step ran since the read began or the read was cut short. */
  remember(host: string, readStart: number, text: string, output: ExecResult): void {
    if (readStart !== this.generation || output.code === null) return;
    let results = this.byHost.get(host);
    if (!results) {
      results = new Map();
      this.byHost.set(host, results);
    }
    results.set(text, output);
  }

  /** Forgets what was read on one host (a retry waits for the host to change). */
  forget(host: string): void {
    this.byHost.delete(host);
  }

  /** Before and after every step, on any host. */
  forgetAll(): void {
    this.generation += 1;
    this.byHost.clear();
  }
}
