import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '@/utils/format/csv';

// The shared CSV cell guard, against the ways a spreadsheet splits a line: with `,` or with `;`
// (Excel in Indonesian), honouring quotes or not. No field may start a formula either way.

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A lenient quote-aware reader, as spreadsheets read: a `"` at a field's start opens a quoted
 * part (`""` inside it is a quote), anything after it up to the separator joins the field, and a
 * line break outside quotes ends the record.
 */
function splitQuoted(text: string, sep: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let atStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (atStart && c === '"') {
      atStart = false;
      for (i++; i < text.length; i++) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (text[i] === '"') break;
        else field += text[i];
      }
      continue;
    }
    if (c === sep || c === '\r' || c === '\n') {
      record.push(field);
      field = '';
      atStart = true;
      if (c !== sep) {
        if (c === '\r' && text[i + 1] === '\n') i++;
        records.push(record);
        record = [];
      }
      continue;
    }
    atStart = false;
    field += c;
  }
  record.push(field);
  records.push(record);
  return records;
}

/** A reader that knows nothing of quotes: every line break ends a record, every separator a field. */
function splitNaively(text: string, sep: string): string[][] {
  return text.split(/\r\n|\r|\n/).map((line) => line.split(sep));
}

/** The strict RFC 4180 reading (what our own tests and the round trip rely on): `,` only. */
function parseStrict(line: string): string[] {
  const [record, ...rest] = splitQuoted(line, ',');
  expect(rest).toEqual([]);
  return record!;
}

/** Strings made mostly of what matters here: formula characters, separators, breaks, quotes. */
const tricky = fc.oneof(
  fc.string(),
  fc
    .array(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ',', ';', '"', "'", ' ', 'a', 'Budi', 'é', '1'), { maxLength: 12 })
    .map((a) => a.join('')),
);

const hazardFree = (v: string) => !FORMULA_START.test(v) && !/[,;\r\n]"*[=+\-@\t\r]/.test(v);

describe('csvCell and csvLine', () => {
  it('leave no field that starts a formula, split with , or ; and with or without regard to quotes', () => {
    fc.assert(
      fc.property(fc.array(tricky, { minLength: 1, maxLength: 5 }), (values) => {
        const line = csvLine(values).slice(0, -2);
        for (const sep of [',', ';']) {
          for (const fields of [...splitQuoted(line, sep), ...splitNaively(line, sep)]) {
            for (const f of fields)
              expect(FORMULA_START.test(f), `${JSON.stringify(f)} from ${JSON.stringify(values)} split by ${sep}`).toBe(false);
          }
        }
      }),
      { seed: 20261203, numRuns: 3000 },
    );
  });

  it('give back a value without such hazards unchanged, read with , as RFC 4180 reads', () => {
    fc.assert(
      fc.property(fc.array(tricky.filter(hazardFree), { minLength: 1, maxLength: 5 }), (values) => {
        expect(parseStrict(csvLine(values).slice(0, -2))).toEqual(values);
      }),
      { seed: 20261204, numRuns: 3000 },
    );
  });

  it('quote a value holding ;, so Excel with ; as separator keeps it one cell', () => {
    expect(csvCell('Budi;=1+2;')).toBe(`"Budi;'=1+2;"`);
    expect(splitQuoted(csvCell('Budi;=1+2;'), ';')).toEqual([["Budi;'=1+2;"]]);
    expect(csvCell('Dinas A; Dinas B')).toBe('"Dinas A; Dinas B"');
    expect(splitQuoted(csvCell('Dinas A; Dinas B'), ';')).toEqual([['Dinas A; Dinas B']]);
  });

  it('defuse a formula after a separator or a line break inside a value', () => {
    expect(csvCell('a,=1')).toBe(`"a,'=1"`);
    expect(csvCell('a\r\n@SUM(A1)')).toBe(`"a\r\n'@SUM(A1)"`);
    expect(csvCell('-1;-2')).toBe(`"'-1;'-2"`);
    // An escaped quote after the break does not hide the formula from a reader out of step.
    expect(csvCell('x\r"=1')).toBe(`"x\r'""=1"`);
    // Not after other characters: ordinary text keeps its signs.
    expect(csvCell('Kab. A = Kab. B, -5 derajat')).toBe('"Kab. A = Kab. B, -5 derajat"');
  });

  it('keep RFC 4180 quoting, and numbers as numbers', () => {
    expect(csvLine(['a', 'b,c', 'd"e', 'f\ng', null, undefined, 3, -2])).toBe('a,"b,c","d""e","f\ng",,,3,-2\r\n');
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell('')).toBe('');
  });
});
