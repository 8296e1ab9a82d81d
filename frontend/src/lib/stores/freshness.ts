// Answers can arrive in another order than their calls (the development server answers each
// call on a goroutine of its own; two reads of a list can overlap in any build). Freshness
// keeps a list's reads from undoing what is newer: of several reads under way the last one
// answers, and an item changed or removed here after a read began keeps its newer state.

export class Freshness<K> {
  private clock = 0;
  private lastRead = 0;
  private readonly touched = new Map<K, number>();

  /** begin starts a read of the whole list and returns its ticket. */
  begin(): number {
    this.lastRead = ++this.clock;
    return this.lastRead;
  }

  /** last says whether the read with this ticket is the last one begun. */
  last(ticket: number): boolean {
    return ticket === this.lastRead;
  }

  /** touch marks an item changed (put or removed) here, now. */
  touch(key: K): void {
    this.touched.set(key, ++this.clock);
  }

  /** merge is the list read with ticket, with the items changed here since the read began
   * as they are now: kept as now, left out if removed, added if new. */
  merge<T>(read: readonly T[], now: readonly T[], ticket: number, key: (item: T) => K): T[] {
    const newer = (k: K) => (this.touched.get(k) ?? 0) > ticket;
    const current = new Map(now.map((item) => [key(item), item]));
    const out: T[] = [];
    const seen = new Set<K>();
    for (const item of read) {
      const k = key(item);
      seen.add(k);
      if (!newer(k)) out.push(item);
      else if (current.has(k)) out.push(current.get(k)!);
    }
    for (const [k, item] of current) if (newer(k) && !seen.has(k)) out.push(item);
    return out;
  }

  /** reset forgets every change and makes the reads under way stale. */
  reset(): void {
    this.lastRead = ++this.clock;
    this.touched.clear();
  }
}
