import { readFile } from 'node:fs/promises';
import { load, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { InputError, type InputIssue } from '../domain/issues.ts';
import { isMessageCode, type MessageCode, type Param, type Params } from '../domain/messages.ts';

/**
 * A schema that loads only when needed: `accepts` is a hand-written check of the valid case (it
 * must accept nothing the schema refuses, and the schema must return such data unchanged), so a
 * valid file is read without loading zod; anything else is validated by the schema, for its messages.
 */
export interface LazySchema<S extends z.ZodType> {
  readonly accepts: (data: unknown) => data is z.output<S>;
  readonly load: () => Promise<S>;
}

/** Reads a YAML file and validates it with `schema`; every problem names the file and the path inside it. */
export async function loadYamlFile<S extends z.ZodType>(file: string, schema: S | LazySchema<S>, label: string): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new InputError([{ severity: 'error', file, message: `cannot read the ${label}: ${reason}`, code: 'CONFIG_UNREADABLE', params: { reason } }]);
  }
  if (!('load' in schema)) return parseYaml(file, text, schema);
  const data = yamlData(file, text);
  return schema.accepts(data) ? data : validate(file, data, await schema.load());
}

export function parseYaml<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  return validate(file, yamlData(file, text), schema);
}

function yamlData(file: string, text: string): unknown {
  try {
    // js-yaml: several times faster than `yaml` on large targets files, and it refuses duplicate keys.
    return load(text, { filename: file });
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    const mark = (e as YAMLException & { mark?: { line: number } }).mark;
    throw new InputError([
      { severity: 'error', file, ...(mark ? { row: mark.line + 1 } : {}), message: `not valid YAML: ${e.reason ?? e.message.split('\n')[0]}`, code: 'CONFIG_YAML', params: {} },
    ]);
  }
}

function validate<S extends z.ZodType>(file: string, data: unknown, schema: S): z.output<S> {
  // reportInput: an absent field is told from a field of the wrong type (CONFIG_MISSING).
  const result = schema.safeParse(data, { reportInput: true });
  if (!result.success) throw new InputError(zodIssues(file, result.error.issues));
  return result.data;
}

/**
 * The schema's issues as input issues: each keeps the schema's English message and gets a code of
 * the catalogue with its values, so it reads in Chinese too. A rule of the schema names its own
 * code (`params: { code, ... }`, or a message ending in ` [CODE]`); a rule without one is CONFIG_RULE.
 */
export function zodIssues(file: string, issues: readonly z.core.$ZodIssue[]): InputIssue[] {
  return issues.map((i) => {
    const suffix = / \[([A-Z][A-Z0-9_]+)\]$/.exec(i.message);
    const coded = suffix && isMessageCode(suffix[1]) ? { code: suffix[1], params: {} } : zodCode(i);
    // A problem of the file as a whole (an unknown top-level field) names no path inside it.
    return { severity: 'error' as const, file, ...(i.path.length > 0 ? { column: formatPath(i.path) } : {}), message: suffix && isMessageCode(suffix[1]) ? i.message.slice(0, suffix.index) : i.message, ...coded };
  });
}

/** The catalogue's code and values for a schema issue (zod's own kinds of issue, or a rule's params). */
function zodCode(i: z.core.$ZodIssue): { code: MessageCode; params: Params } | { code: MessageCode } {
  switch (i.code) {
    case 'invalid_type':
      // Parsed with reportInput: an absent field is `input: undefined` (an explicit null is there).
      return 'input' in i && i.input === undefined ? { code: 'CONFIG_MISSING', params: {} } : { code: 'CONFIG_TYPE', params: { expected: i.expected } };
    case 'invalid_value':
      return { code: 'CONFIG_VALUE', params: { values: i.values.map(String) } };
    case 'too_small':
      return { code: 'CONFIG_TOO_SMALL', params: { origin: i.origin, minimum: Number(i.minimum) } };
    case 'too_big':
      return { code: 'CONFIG_TOO_BIG', params: { origin: i.origin, maximum: Number(i.maximum) } };
    case 'invalid_format': {
      // A pattern's own message often gives an example (`e.g. "09:00"`): the same in either language.
      const example = /e\.g\. "?([^"]+)"?$/.exec(i.message)?.[1];
      return { code: 'CONFIG_FORMAT', params: { format: i.format, ...(example ? { example } : {}) } };
    }
    case 'unrecognized_keys':
      return { code: 'CONFIG_UNKNOWN_KEYS', params: { keys: i.keys } };
    case 'invalid_union':
      return { code: 'CONFIG_UNION', params: {} };
    case 'custom': {
      const { code, ...params } = (i.params ?? {}) as { code?: unknown } & Record<string, Param>;
      // Without a code of its own, the rule's English detail follows the Chinese lead.
      return isMessageCode(code) ? { code, params } : { code: 'CONFIG_RULE' };
    }
    default:
      return { code: 'CONFIG_RULE' };
  }
}

/** ["indicators", 3, "target"] → "indicators[3].target" */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}
