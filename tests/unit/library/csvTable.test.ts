import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isLibraryError } from '@shared/library/errors'
import { detectDelimiter, readCsvTable } from '../../../src-main/services/datasets/import/csvTable'
import { csvColumnValues, previewCsv } from '../../../src-main/services/datasets/import/wizard'
import { temporaryFolder, writeText } from './support'

let folder: { path: string; cleanup: () => void }
beforeEach(() => {
  folder = temporaryFolder('cxr-csv-')
})
afterEach(() => folder.cleanup())

async function problem(text: string): Promise<string> {
  const path = join(folder.path, 'index.csv')
  writeText(path, text)
  try {
    await readCsvTable(path)
    return 'no error'
  } catch (error) {
    return isLibraryError(error) ? `${error.issues[0].code}: ${error.message}` : String(error)
  }
}

describe('CSV and TSV reading', () => {
  it('detects the separator from the header, ignoring quoted ones', () => {
    expect(detectDelimiter('a,b,c\n1,2,3')).toBe(',')
    expect(detectDelimiter('a\tb\tc\n')).toBe('\t')
    expect(detectDelimiter('"x,y";b;c\n')).toBe(';')
    expect(detectDelimiter('\uFEFFa|b\n')).toBe('|')
    expect(detectDelimiter('single\n')).toBe(',')
  })

  it('reads a TSV with a byte-order mark, Windows line ends, quotes and blank lines, with line numbers', async () => {
    const path = join(folder.path, 'index.tsv')
    writeText(path, '\uFEFFfile\tfinding\r\n"a.png"\t"COVID-19, ARDS"\r\n\r\n b.png \tSARS\r\n')
    const table = await readCsvTable(path)
    expect(table).toEqual({
      path,
      delimiter: '\t',
      columns: ['file', 'finding'],
      rows: [
        { line: 2, values: { file: 'a.png', finding: 'COVID-19, ARDS' } },
        { line: 4, values: { file: 'b.png', finding: 'SARS' } },
      ],
    })
  })

  it('names the file, line and problem', async () => {
    expect(await problem('')).toBe('empty-file: index.csv: the file is empty (expected a header line and rows)')
    // The header is the file's content: messages count its columns instead of quoting them.
    expect(await problem('a,b\n1,2\n3\n')).toBe('csv-syntax: index.csv, line 3: 1 field(s) where the header has 2')
    expect(await problem('a,a\n1,2\n')).toBe('csv-syntax: index.csv: columns 1 and 2 of the header have the same name')
    const missing = join(folder.path, 'nope.csv')
    await expect(readCsvTable(missing)).rejects.toMatchObject({ code: 'import-blocked', message: `${missing}: file not found` })
  })

  it('guesses a label-like column over a binary one that is not about COVID, and never sex or the split', async () => {
    const path = join(folder.path, 'labels.csv')
    // Kermany's table: a three-class label and a 0/1 pneumonia flag; the three classes are what pre-training needs.
    writeText(path, 'path,split,sex,class3,pneumonia\nNORMAL/a.jpeg,train,F,normal,0\nPNEUMONIA/b.jpeg,test,M,bacteria,1\nPNEUMONIA/c.jpeg,train,M,virus,1\n')
    expect((await previewCsv(path, 2)).guessed.label).toBe('class3')
    // A yes/no column alone is not enough to call it the label: the user picks one.
    writeText(path, 'file,notes,positive\na.png,cough,yes\nb.png,fever,no\n')
    expect((await previewCsv(path, 2)).guessed.label).toBe(undefined)
  })

  it('previews rows and guesses the columns the wizard asks for', async () => {
    const path = join(folder.path, 'frontal_xray_labels.csv')
    writeText(path, 'filename,patientid,view,finding,covid\na.jpeg,2,PA,COVID-19,1\nb.png,2,AP,SARS,0\nc.png,3,PA,COVID-19,1\n')
    const preview = await previewCsv(path, 2)
    expect(preview).toMatchObject({ delimiter: ',', rowCount: 3, columns: ['filename', 'patientid', 'view', 'finding', 'covid'] })
    expect(preview.rows).toEqual([
      { filename: 'a.jpeg', patientid: '2', view: 'PA', finding: 'COVID-19', covid: '1' },
      { filename: 'b.png', patientid: '2', view: 'AP', finding: 'SARS', covid: '0' },
    ])
    // The 0/1 covid column is the label the study needs, not the free-text finding beside it.
    expect(preview.guessed).toEqual({ file: 'filename', label: 'covid', patient: 'patientid', view: 'view' })
    expect(await csvColumnValues(path, 'finding', 10)).toEqual({
      column: 'finding',
      values: [
        { value: 'COVID-19', count: 2 },
        { value: 'SARS', count: 1 },
      ],
      distinctCount: 2,
      truncated: false,
    })
    await expect(csvColumnValues(path, 'label', 10)).rejects.toThrow('column "label" not found among the 5 columns of its header')
  })
})
