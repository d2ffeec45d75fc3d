import type { PatientSource } from '@shared/library/importSpecs'
import { createPatientMatcher, fileStem } from '@shared/library/rules'
import type { IssueList } from './plan'

/** The facts about one image a patient source may use. */
export interface PatientInput {
  sourceKey: string
  fileName: string
  /** The file as messages should name it. */
  file: string
  /** CSV values, for a column source. */
  values?: Record<string, string>
  line?: number
}

/**
 * Turn a patient source into a function giving each image its patient id. Images whose patient cannot be found
 * (empty cell, no pattern match) become their own patient, with a warning per image: a split can then put one
 * person's images on two sides, and the user should see which images risk it.
 * @param source the spec's patient source.
 * @param issues where warnings go.
 */
export function createPatientResolver(source: PatientSource, issues: IssueList): (input: PatientInput) => string {
  switch (source.kind) {
    case 'column':
      return (input) => {
        const value = input.values?.[source.column] ?? ''
        if (value !== '') return value
        issues.add({
          code: 'patient-missing',
          severity: 'warning',
          file: input.file,
          line: input.line,
          field: source.column,
          message: `${input.file}${input.line ? ` (line ${input.line})` : ''}: no patient in column "${source.column}"; the image is its own patient`,
        })
        return input.sourceKey
      }
    case 'file-name': {
      const match = createPatientMatcher(source.patterns)
      return (input) => {
        const patient = match(input.fileName)
        if (patient !== undefined) return patient
        const stem = fileStem(input.fileName)
        issues.add({
          code: 'patient-pattern-unmatched',
          severity: 'warning',
          file: input.file,
          field: 'patient',
          message: `${input.file}: no patient pattern matches "${input.fileName}"; patient "${stem}" (the file name) is used`,
        })
        return stem
      }
    }
    case 'per-image':
      return (input) => input.sourceKey
  }
}

/**
 * The one warning a per-image patient source deserves, stated once for the whole import.
 * @param imageCount how many images it concerns.
 */
export function perImagePatientsIssue(imageCount: number): Parameters<IssueList['add']>[0] {
  return {
    code: 'per-image-patients',
    severity: 'warning',
    field: 'patient',
    message: `No patient ids: each of the ${imageCount} images is treated as its own patient, so a patient-disjoint split cannot be guaranteed`,
  }
}
