import type { DatasetSummary } from '@shared/library/summaries'
import type { ImportIssue } from '@shared/library/jobs'
import type { ImportSpec } from '@shared/library/importSpecs'
import type { NewIssue } from '../../library/importJobRepository'

/**
 * The plan of an import: every file it will process, decided up front from the sources alone (CSV rows, folder
 * layout, class rules, patient patterns). Plans are stored with the job, one row per file, which is what makes a
 * job resumable: a restart processes the rows still pending, with the decisions already taken.
 */

/** What the plan decided for one image (stored as the item's payload). */
export interface ImagePlan {
  label: string
  /** Known for CSV and file-name patients; DICOM patients come from the headers during the import. */
  patientId?: string
  view?: string
  attributes: Record<string, string>
  /** The CSV line the image came from, for messages. */
  line?: number
}

/** What the plan decided for one mask (stored as the item's payload). */
export interface MaskPlan {
  /** Image id (relative path) of the image it belongs to. */
  imageKey: string
  /** One mask file, or the left and right halves to merge. */
  paths: string[]
  structure: string
}

/** One planned file. `sourceKey` is the image id (for a mask: its image's id). */
export type PlannedItem =
  | { kind: 'image'; sourceKey: string; path: string; payload: ImagePlan }
  | { kind: 'mask'; sourceKey: string; path: string; payload: MaskPlan }

/** Folder summary for the preview. */
export interface PlannedFolder {
  folder: string
  files: number
  class: string | null
}

/** Everything planning found. */
export interface ImportPlan {
  datasetId: string
  /** For a new dataset: how it is described. Absent for mask imports. */
  dataset?: { sourceKind: DatasetSummary['sourceKind']; rootFolder: string }
  items: PlannedItem[]
  /** Rows and files left out or worth a warning; recorded with the job. */
  issues: NewIssue[]
  /** Problems that stop the import; nothing is written while there is one. */
  blocking: ImportIssue[]
  folders?: PlannedFolder[]
  /** The spec as the job records it, with choices it left open settled (a CSV import's pseudonymisation). */
  spec?: ImportSpec
}

/** Collects the issues of a plan: per-row ones, recorded with the job, and blocking ones, which stop it. */
export class IssueList {
  readonly issues: NewIssue[] = []
  readonly blocking: ImportIssue[] = []

  /** A row- or file-level issue. */
  add(issue: NewIssue): void {
    this.issues.push(issue)
  }

  /** A problem that stops the import. */
  block(issue: Omit<ImportIssue, 'severity'>): void {
    this.blocking.push({ ...issue, severity: 'error' })
  }
}
