/**
 * Validates a drafted targets YAML. `kind: relative` is being added to the targets-file schema
 * in parallel (issue 10 §3); until worker/config/targets-file.ts accepts it, relative entries are
 * checked here against the agreed shape and the rest of the file against the real schema. Once
 * the schema accepts the whole file, the schema alone decides.
 */
import { dump, load } from 'js-yaml';
import { z } from 'zod';
import { targetsFileSchema } from '../../worker/config/targets-file.ts';
import { parseYaml } from '../../worker/config/yaml-file.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/);
/** The agreed shape of a relative target (kind: relative) as the extractor drafts it. */
export const relativeEntry = z.strictObject({
  id,
  name: z.string().min(1),
  section: id,
  kind: z.literal('relative'),
  unit: z.literal('%'),
  measure: z.enum(['growth', 'value']),
  relation: z.enum(['above', 'at_least', 'in_step']),
  target_text: z.string().min(1),
  reference: id.optional(),
  lead: z.array(z.string().min(1)).min(1),
});

type Schema = z.output<typeof targetsFileSchema>;
type Relative = z.output<typeof relativeEntry>;
export type DraftFile = Omit<Schema, 'indicators'> & { indicators: (Schema['indicators'][number] | Relative)[] };

export function validateDraft(yaml: string): DraftFile {
  if (targetsFileSchema.safeParse(load(yaml)).success) return parseYaml('draft.yaml', yaml, targetsFileSchema);
  const data = load(yaml) as { indicators?: { kind?: unknown; id?: unknown }[] };
  const all = data.indicators ?? [];
  const relative = all.filter((i) => i.kind === 'relative').map((i) => relativeEntry.parse(i));
  const rest = parseYaml('draft.yaml', dump({ ...data, indicators: all.filter((i) => i.kind !== 'relative') }), targetsFileSchema);
  const ids = new Set(all.map((i) => i.id));
  for (const r of relative) if (r.reference !== undefined && !ids.has(r.reference)) throw new Error(`${r.id}: reference "${r.reference}" is not an indicator id of the draft`);
  const byId = new Map<unknown, DraftFile['indicators'][number]>([...rest.indicators, ...relative].map((i) => [i.id, i]));
  return { ...rest, indicators: all.map((i) => byId.get(i.id)!) };
}
