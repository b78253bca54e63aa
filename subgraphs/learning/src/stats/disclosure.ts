/**
 * Small-number suppression for the de-identified statistics (docs/learning.md, "Disclosure
 * control"). Counts are cells; equations say which cells add up to which (every breakdown adds
 * up to the total; each agency pair row adds up to its raising-kind cell, each column to its
 * responding-kind cell). A cell is suppressed when 0 < n < threshold (primary), and then more
 * cells are suppressed until no equation lets a suppressed cell be worked out by subtraction:
 * each equation with a suppressed term has at least two, and when the whole is shown, the
 * suppressed parts add up to at least the threshold (secondary).
 */

export interface Cell {
  readonly id: string;
  readonly count: number;
}

/** `whole = sum(parts)`; a whole of `null` is the total, which is always shown. */
export interface Equation {
  readonly whole: string | null;
  readonly parts: readonly string[];
}

/** The ids of the cells to suppress. */
export function suppress(
  cells: readonly Cell[],
  equations: readonly Equation[],
  threshold: number,
  /** Cells to suppress whatever their count (e.g. exposed by comparison with another filter). */
  forced: Iterable<string> = [],
): Set<string> {
  const count = new Map(cells.map((cell) => [cell.id, cell.count]));
  const valueOf = (id: string) => {
    const n = count.get(id);
    if (n === undefined) throw new Error(`disclosure: equation names unknown cell ${id}`);
    return n;
  };
  const hidden = new Set([
    ...cells.filter((cell) => cell.count > 0 && cell.count < threshold).map((cell) => cell.id),
    ...[...forced].filter((id) => (count.get(id) ?? 0) > 0),
  ]);
  // Each pass suppresses at least one more cell or stops, so this ends.
  for (let changed = true; changed;) {
    changed = false;
    for (const { whole, parts } of equations) {
      const wholeHidden = whole !== null && hidden.has(whole);
      const hiddenParts = parts.filter((id) => hidden.has(id));
      const unknowns = hiddenParts.length + (wholeHidden ? 1 : 0);
      if (unknowns === 0) continue;
      const hiddenSum = hiddenParts.reduce((sum, id) => sum + valueOf(id), 0);
      const exposed = unknowns === 1 || (!wholeHidden && hiddenSum < threshold);
      if (!exposed) continue;
      const candidate = parts
        .filter((id) => !hidden.has(id) && valueOf(id) > 0)
        .sort((a, b) => valueOf(a) - valueOf(b) || a.localeCompare(b))[0];
      if (candidate) {
        hidden.add(candidate);
        changed = true;
      } else if (whole !== null && !wholeHidden) {
        // Every other part is zero or hidden: the whole would give the hidden part away.
        hidden.add(whole);
        changed = true;
      }
    }
  }
  return hidden;
}

/** Whether a count may be shown on its own: zero, or at least the threshold. */
export function disclosable(count: number, threshold: number): boolean {
  return count === 0 || count >= threshold;
}
