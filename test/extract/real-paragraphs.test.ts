/**
 * Recall of the extractor on real 主要预期目标 paragraphs (test/fixtures/work-reports/*.yaml):
 * targets found / targets a person lists for each paragraph. The figure is printed; the test
 * asserts a floor so that a change that loses targets fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { extractTargets, type DraftIndicator } from '../../worker/extract/extract-targets.ts';

const DIR = path.resolve(import.meta.dirname, '../fixtures/work-reports');
/** Recall when the fixtures were written: 32/68 (47.1%) before issue 10 §4's changes, 68/68 after. */
const RECALL_FLOOR = 0.95;

interface Expected {
  name: string;
  kind: string;
  value?: number;
  unit?: string;
  qualifier?: string;
  relation?: string;
  measure?: string;
}
interface Fixture {
  file: string;
  region: string;
  script: 'simplified' | 'traditional';
  text: string;
  expected: Expected[];
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((file) => ({ file, ...(parse(readFileSync(path.join(DIR, file), 'utf8')) as Omit<Fixture, 'file'>) }));

/** Does the extracted indicator `i` say what the person listed? */
function matches(e: Expected, i: DraftIndicator): boolean {
  const fields = i as unknown as Record<string, unknown>;
  if (i.role !== 'target' || i.kind !== e.kind) return false;
  if (!(i.name.includes(e.name) || (i.name.length > 0 && e.name.includes(i.name)))) return false;
  if (e.value !== undefined && i.value !== e.value) return false;
  if (e.unit !== undefined && i.unit !== e.unit) return false;
  if (e.qualifier !== undefined && i.qualifier !== e.qualifier) return false;
  if (e.relation !== undefined && fields.relation !== e.relation) return false;
  if (e.measure !== undefined && fields.measure !== e.measure) return false;
  return true;
}

function recallOf(f: Fixture): { found: number; missed: Expected[] } {
  const { indicators } = extractTargets(f.text);
  const taken = new Set<number>();
  const missed: Expected[] = [];
  for (const e of f.expected) {
    const at = indicators.findIndex((i, k) => !taken.has(k) && matches(e, i));
    if (at < 0) missed.push(e);
    else taken.add(at);
  }
  return { found: f.expected.length - missed.length, missed };
}

describe('extractor recall on real 主要预期目标 paragraphs', () => {
  it('has fixtures from at least six regions, one in traditional script, each with its source', () => {
    expect(new Set(fixtures.map((f) => f.region)).size).toBeGreaterThanOrEqual(6);
    expect(fixtures.some((f) => f.script === 'traditional')).toBe(true);
    for (const f of fixtures) {
      expect(readFileSync(path.join(DIR, f.file), 'utf8')).toMatch(/^# source: https?:\/\//m);
      expect(extractTargets(f.text).script).toBe(f.script);
    }
  });

  it('accounts for every number of each paragraph: drafted, or listed as unused', () => {
    for (const f of fixtures) {
      const draft = extractTargets(f.text);
      const numbers = [...f.text.matchAll(/(?<![\d.])\d+(?:\.\d+)?(?![\d.])(?!年)/g)].length;
      const drafted = draft.indicators.filter((i) => i.value !== null && i.targetText === null).length;
      const unused = draft.findings.filter((x) => x.rule === 'unused-number').length;
      expect({ file: f.file, accounted: drafted + unused }).toEqual({ file: f.file, accounted: numbers });
    }
  });

  it(`finds at least ${RECALL_FLOOR * 100}% of the targets a person lists`, () => {
    let found = 0;
    let total = 0;
    const lines: string[] = [];
    for (const f of fixtures) {
      const r = recallOf(f);
      found += r.found;
      total += f.expected.length;
      lines.push(`  ${f.region.padEnd(6, '　')} ${r.found}/${f.expected.length}${r.missed.length ? `  missed: ${r.missed.map((m) => `${m.name}(${m.kind})`).join(', ')}` : ''}`);
    }
    const recall = found / total;
    console.log(`extractor recall on ${fixtures.length} real paragraphs: ${found}/${total} = ${(recall * 100).toFixed(1)}%\n${lines.join('\n')}`);
    expect(recall).toBeGreaterThanOrEqual(RECALL_FLOOR);
  });
});
