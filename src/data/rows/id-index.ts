/**
 * From an id to its row without a Map of millions of entries: the ids sorted once into typed arrays (8 bytes per
 * row) and found by binary search. Where an id appears twice, its last row wins, as `rowIndex` (a Map filled in row
 * order) has it, so both paths resolve a triple to the same text.
 */
export class IdIndex {
  private constructor(
    private readonly sortedIds: Int32Array,
    /** The row of sortedIds[k]; null when the ids were already ascending (row k is id k's). */
    private readonly rows: Int32Array | null,
    readonly name: string,
  ) {}

  static build(ids: Int32Array, name: string): IdIndex {
    let ascending = true;
    for (let i = 1; i < ids.length && ascending; i++) ascending = (ids[i] as number) > (ids[i - 1] as number);
    // MS MARCO's passages come in id order: then the id column is the index, at no extra memory.
    if (ascending) return new IdIndex(ids, null, name);
    const order = new Int32Array(ids.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => (ids[a] as number) - (ids[b] as number) || a - b);
    let unique = 0;
    for (let k = 0; k < order.length; k++) {
      if (k + 1 < order.length && ids[order[k + 1] as number] === ids[order[k] as number]) continue;
      unique++;
    }
    const sortedIds = new Int32Array(unique);
    const rows = new Int32Array(unique);
    let at = 0;
    for (let k = 0; k < order.length; k++) {
      const row = order[k] as number;
      // Equal ids sit together with their rows ascending: keep the last of each run.
      if (k + 1 < order.length && ids[order[k + 1] as number] === ids[row]) continue;
      sortedIds[at] = ids[row] as number;
      rows[at++] = row;
    }
    return new IdIndex(sortedIds, rows, name);
  }

  /** Distinct ids. */
  get size(): number {
    return this.sortedIds.length;
  }

  /** The row holding `id`, or -1. */
  rowOf(id: number): number {
    const ids = this.sortedIds;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid] as number;
      if (v < id) lo = mid + 1;
      else if (v > id) hi = mid - 1;
      else return this.rows ? (this.rows[mid] as number) : mid;
    }
    return -1;
  }

  /** The row holding `id`; an id the table does not have is an error that names the table. */
  requireRow(id: number): number {
    const row = this.rowOf(id);
    if (row < 0) throw new Error(`${this.name}: no row has id ${id}`);
    return row;
  }
}
