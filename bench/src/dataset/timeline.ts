/**
 * A min-heap of things to write in time order (outbox events, audit entries): an escalation's
 * whole life is generated when it is raised, but the hub wrote its later events after other
 * escalations' earlier ones, and the outbox's `seq` and the audit chain keep that order. Only
 * what is still in the future of the generator's day is held, so it stays small.
 */
export class Timeline<T> {
  private readonly heap: { at: number; order: number; item: T }[] = [];
  private order = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T): void {
    const heap = this.heap;
    heap.push({ at, order: this.order++, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Hands over, in order, everything due before `until`. */
  takeUntil(until: number, take: (item: T, at: number) => void): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.at < until) {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
          if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m]!, heap[i]!];
          i = m;
        }
      }
      take(top.item, top.at);
    }
  }
}

function before(a: { at: number; order: number }, b: { at: number; order: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
