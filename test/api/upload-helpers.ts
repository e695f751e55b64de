import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { ROOT } from '../support/cli.ts';

/** A multipart body as a browser sends it: the fields, then one file. */
export function multipartBody(fields: Record<string, string>, file?: { name: string; data: Buffer | string }) {
  const boundary = `----jibao${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`));
    parts.push(Buffer.from(file.data));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The sample's 2023Q3 figures with one cell broken (row 3: 新建口袋公园 → 十七). */
export async function sampleFigures(broken: boolean): Promise<string> {
  const text = await readFile(path.join(ROOT, 'jobs/yuquan-2023/figures/2023Q3.csv'), 'utf8');
  return broken ? text.replace('新建口袋公园,2023Q3,17,', '新建口袋公园,2023Q3,十七,') : text.replace('新建口袋公园,2023Q3,17,', '新建口袋公园,2023Q3,18,');
}
