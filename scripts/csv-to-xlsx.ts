/**
 * Converts a figure CSV into an XLSX workbook as a statistics office would send it:
 * numbers as numeric cells, a bold header, one sheet named 数据. Used to make the sample's XLSX quarter:
 *   npx tsx scripts/csv-to-xlsx.ts jobs/yuquan-2023/figures/2023Q2.csv jobs/yuquan-2023/figures/2023Q2.xlsx
 */
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { csvTable } from '../worker/sources/table-file.ts';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: tsx scripts/csv-to-xlsx.ts IN.csv OUT.xlsx\n');
  process.exit(1);
}
const table = csvTable(input, await readFile(input));
const wb = new ExcelJS.Workbook();
wb.creator = 'jibao sample data';
// A fixed date keeps the file byte-stable when it is regenerated.
wb.created = wb.modified = new Date('2023-07-20T00:00:00Z');
const ws = wb.addWorksheet('数据');
ws.addRow([...table.header]).font = { bold: true };
for (const r of table.rows) {
  ws.addRow(r.cells.map((c) => (/^-?\d+(\.\d+)?$/.test(c.trim()) ? Number(c) : c)));
}
ws.columns.forEach((col, i) => (col.width = i === 0 ? 30 : 14));
await wb.xlsx.writeFile(output);
process.stdout.write(`wrote ${output}\n`);
