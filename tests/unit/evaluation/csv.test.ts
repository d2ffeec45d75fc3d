import { describe, expect, it } from 'vitest'
import { CsvError, parseCsvRecords, parsePredictionsCsv, predictionsToCsv } from '@shared/evaluation/csv'

describe('CSV records', () => {
  it('handles quotes, embedded commas and newlines, CRLF and a BOM, with line numbers', () => {
    const records = parseCsvRecords('\uFEFFa,b\r\n"x, y","he said ""hi"""\r\n"multi\nline",2\n')
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'he said "hi"'] },
      { line: 3, fields: ['multi\nline', '2'] },
    ])
  })
})

describe('predictions CSV', () => {
  it('reads label, score and patient in any column order and case', () => {
    expect(parsePredictionsCsv('Score,patient,LABEL\n0.9,p1,1\n0.2,p2,0\n')).toEqual({ labels: [1, 0], scores: [0.9, 0.2], patients: ['p1', 'p2'] })
    expect(parsePredictionsCsv('label,score\n1,0.7\n\n0,0.1\n')).toEqual({ labels: [1, 0], scores: [0.7, 0.1] })
  })
  it('names the missing column', () => {
    expect(() => parsePredictionsCsv('label,probability\n1,0.5\n')).toThrow(/no 'score' column/)
  })
  it('names the line and column of a bad value', () => {
    const bad = (text: string) => {
      try {
        parsePredictionsCsv(text)
      } catch (error) {
        return error as CsvError
      }
      throw new Error('no error')
    }
    expect(bad('label,score\n1,0.5\n2,0.5\n').message).toMatch(/line 3, column label: '2'/)
    expect(bad('label,score\n1,abc\n').message).toMatch(/line 2, column score: 'abc'/)
    expect(bad('label,score\n1,0.5\n1\n').message).toMatch(/line 3: 1 fields/)
    expect(bad('label,score,patient\n1,0.5,\n').message).toMatch(/line 2, column patient/)
    expect(bad('label,score\n').message).toMatch(/no rows/)
  })
  it('round-trips what an evaluation writes, with dataset-qualified patients', () => {
    const csv = predictionsToCsv([
      { imageId: 'a,1', datasetId: 'corda', patientId: '7', contentHash: 'h1', label: 1, score: 0.8 },
      { imageId: 'b', datasetId: 'rsna', patientId: '7', contentHash: 'h2', label: 0, score: 0.25 },
    ])
    expect(csv.split('\n')[1]).toBe('"a,1",corda,corda/7,h1,1,0.8')
    expect(parsePredictionsCsv(csv)).toEqual({ labels: [1, 0], scores: [0.8, 0.25], patients: ['corda/7', 'rsna/7'] })
  })
})
