/** Traditional or simplified script, and text normalised for matching. */
import * as OpenCC from 'opencc-js';
import { toHalfWidth } from '../domain/numbers.ts';

export type Script = 'simplified' | 'traditional';

type Convert = (text: string) => string;
let twToCn: Convert | undefined;

/** Built on first use: loading the dictionaries is the slow part. */
function simplify(text: string): string {
  const convert = (twToCn ??= OpenCC.Converter({ from: 'tw', to: 'cn' }));
  return convert(text);
}

const HAN = /\p{Script=Han}/u;
/** The converter also touches a few simplified characters (显著 → 显着), so a handful of changes means nothing. */
const MIN_CHANGED = 3;
const MIN_CHANGED_SHARE = 0.02;

export function detectScript(text: string): Script {
  const converted = simplify(text);
  let han = 0;
  let changed = 0;
  const chars = [...text];
  const convertedChars = [...converted];
  chars.forEach((c, i) => {
    if (!HAN.test(c)) return;
    han++;
    if (convertedChars[i] !== c) changed++;
  });
  return changed >= MIN_CHANGED && changed >= han * MIN_CHANGED_SHARE ? 'traditional' : 'simplified';
}

/**
 * What the patterns match against: simplified script, half-width digits and punctuation
 * (６％ → 6%, ， → ,), no whitespace. Simplified text is not converted, so it is never altered.
 */
export function matcherFor(script: Script): (text: string) => string {
  return script === 'traditional'
    ? (text) => toHalfWidth(simplify(text)).replace(/\s+/g, '')
    : (text) => toHalfWidth(text).replace(/\s+/g, '');
}
