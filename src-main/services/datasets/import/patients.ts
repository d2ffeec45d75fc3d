import type { CsvImportSpec, PatientSource } from '@shared/library/importSpecs'
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
export function createPatientResolver(source: PatientSource, issues: IssueList, pseudonym: (value: string) => string = (value) => value): (input: PatientInput) => string {
  switch (source.kind) {
    case 'column':
      return (input) => {
        const value = input.values?.[source.column] ?? ''
        if (value !== '') return pseudonym(value)
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

/** How a dataset's earlier table imports stored column patient ids (see `ImportJobRepository`). */
export type PatientIdConvention = 'pseudonymised' | 'as-recorded' | undefined

/**
 * Whether a CSV import pseudonymises its patient column. A spec that leaves it open follows the dataset (a new
 * one: yes), so that one patient never carries two ids in one dataset; a spec that asks for the opposite of
 * what the dataset holds is refused, for the same reason. A dataset imported before CSV pseudonymisation keeps
 * its patients' ids as they were, with a notice saying so and how to change it.
 * @param spec the CSV import spec.
 * @param convention what the dataset's earlier table imports did.
 * @param issues where the notice or the refusal goes.
 */
export function settlePseudonymisation(spec: CsvImportSpec, convention: PatientIdConvention, issues: IssueList): boolean {
  if (spec.patient.kind !== 'column' || convention === undefined) return spec.pseudonymise ?? true
  const followed = convention === 'pseudonymised'
  if (spec.pseudonymise === undefined) {
    if (!followed) {
      issues.add({
        code: 'patient-ids-as-recorded',
        severity: 'warning',
        field: spec.patient.column,
        message: `Dataset "${spec.dataset.id}" holds patient ids as they appear in its table (imported before ids from tables were pseudonymised, or with that turned off): this import keeps them so, and each patient keeps one id. Import into a new dataset to have them pseudonymised.`,
      })
    }
    return followed
  }
  if (spec.pseudonymise !== followed) {
    issues.block({
      code: 'patient-ids-as-recorded',
      field: spec.patient.column,
      message: followed
        ? `Dataset "${spec.dataset.id}" holds pseudonymised patient ids; importing this table's ids as they are would give its patients a second id. Leave pseudonymisation on, or import into a new dataset.`
        : `Dataset "${spec.dataset.id}" holds patient ids as they are in its table; pseudonymising this import would give its patients a second id. Import into a new dataset to pseudonymise.`,
    })
  }
  return spec.pseudonymise
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
