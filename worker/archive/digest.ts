import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const fileDigests = new Map<string, Promise<string>>();

/** SHA-256 of a file that does not change while the process runs (fonts), computed once. */
export function sha256OfStaticFile(file: string): Promise<string> {
  let p = fileDigests.get(file);
  if (!p) {
    p = new Promise<string>((resolve, reject) => {
      const h = createHash('sha256');
      createReadStream(file).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
    });
    fileDigests.set(file, p);
  }
  return p;
}
