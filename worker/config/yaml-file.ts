import { readFile } from 'node:fs/promises';
import { load, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { InputError, type InputIssue } from '../domain/issues.ts';

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
    throw new InputError([{ severity: 'error', file, message: `cannot read the ${label}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
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
      { severity: 'error', file, ...(mark ? { row: mark.line + 1 } : {}), message: `not valid YAML: ${e.reason ?? e.message.split('\n')[0]}` },
    ]);
  }
}

function validate<S extends z.ZodType>(file: string, data: unknown, schema: S): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new InputError(zodIssues(file, result.error.issues));
  return result.data;
}

export function zodIssues(file: string, issues: readonly z.core.$ZodIssue[]): InputIssue[] {
  return issues.map((i) => ({
    severity: 'error' as const,
    file,
    column: formatPath(i.path),
    message: i.message,
  }));
}

/** ["indicators", 3, "target"] → "indicators[3].target" */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}
