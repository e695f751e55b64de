import path from 'node:path';

/** A path as staff should read it in a message: relative when it lies under `base`, absolute otherwise. */
export function displayPath(file: string, base = process.cwd()): string {
  const rel = path.relative(base, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
