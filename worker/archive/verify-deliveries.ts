import { sha256 } from './digest.ts';

export type DeliveryMismatch =
  /** `line` (1-based) is in the log, and no record of the ledger matches it. */
  | { readonly kind: 'forged'; readonly line: number }
  /** `line` differs from the record that stands in its place. */
  | { readonly kind: 'edited'; readonly line: number }
  /** The ledger's `record` (1-based, among this version's) is not in the log. */
  | { readonly kind: 'deleted'; readonly record: number };

/**
 * Lines of a delivery log against the digests the ledger holds for them, in order. A line that
 * stands where a different record should be is an edit; a line with no record is forged; a
 * record with no line was deleted.
 */
export function compareDeliveryLog(log: string, recorded: readonly string[]): DeliveryMismatch[] {
  const lines = log.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const shas = lines.map((l) => sha256(l));
  const out: DeliveryMismatch[] = [];
  let i = 0;
  let j = 0;
  while (i < shas.length || j < recorded.length) {
    if (i < shas.length && j < recorded.length && shas[i] === recorded[j]) {
      i++;
      j++;
      continue;
    }
    const lineLater = i < shas.length ? recorded.indexOf(shas[i]!, j) : -1;
    if (lineLater > j) {
      for (; j < lineLater; j++) out.push({ kind: 'deleted', record: j + 1 });
      continue;
    }
    const recordLater = j < recorded.length ? shas.indexOf(recorded[j]!, i) : -1;
    if (recordLater > i) {
      for (; i < recordLater; i++) out.push({ kind: 'forged', line: i + 1 });
      continue;
    }
    if (i < shas.length && j < recorded.length) {
      out.push({ kind: 'edited', line: ++i });
      j++;
    } else if (i < shas.length) out.push({ kind: 'forged', line: ++i });
    else out.push({ kind: 'deleted', record: ++j });
  }
  return out;
}
