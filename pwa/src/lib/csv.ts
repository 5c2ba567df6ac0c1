// One CSV cell, exactly as the server renders audit exports (csv_cell, db/migrations/0004): a value
// starting with =, +, -, @, tab or CR is neutralised with a leading apostrophe (a spreadsheet would run it
// as a formula), and any value holding a delimiter, quote, CR, LF or apostrophe is quoted.
export function csvCell(v: string | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (/^[=+@\t\r-]/.test(v)) return `"'${v.replace(/"/g, '""')}"`;
  if (/[",\r\n']/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

export function csvLine(cells: Array<string | null | undefined>): string {
  return cells.map(csvCell).join(',');
}
