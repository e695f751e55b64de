/**
 * A snapshot's public id, `yuquan-2023_2023Q3_v2`: what the API, download links and the page name
 * a version by. One place owns its text form and its parsing.
 */
export interface SnapshotKey {
  readonly report: string;
  readonly period: string;
  readonly version: number;
}

const SNAPSHOT_ID = /^([a-z0-9][a-z0-9-]{0,63})_(\d{4}(?:Q[1-4]|-\d{2}))_v(\d{1,6})$/;
/** The same parts written as people type them on the command line: `yuquan-2023/2023Q3/v2`. */
const SNAPSHOT_NAME = /^([a-z0-9][a-z0-9-]{0,63})\/(\d{4}(?:Q[1-4]|-\d{2}))\/v(\d{1,6})$/;

export function snapshotId(s: SnapshotKey): string {
  return `${s.report}_${s.period}_v${s.version}`;
}

/** The report, period and version an id names, or undefined when it is not one. */
export function parseSnapshotId(text: string): SnapshotKey | undefined {
  const m = SNAPSHOT_ID.exec(text);
  return m ? { report: m[1]!, period: m[2]!, version: Number(m[3]) } : undefined;
}

/** `yuquan-2023/2023Q3/v2`: how messages and the CLI name a snapshot to people. */
export function snapshotName(s: SnapshotKey): string {
  return `${s.report}/${s.period}/v${s.version}`;
}

/** A snapshot named either way (`yuquan-2023/2023Q3/v2` or its id), or undefined. */
export function parseSnapshotName(text: string): SnapshotKey | undefined {
  const t = text.trim();
  const m = SNAPSHOT_NAME.exec(t);
  return m ? { report: m[1]!, period: m[2]!, version: Number(m[3]) } : parseSnapshotId(t);
}
