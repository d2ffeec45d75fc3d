import { resolve } from 'node:path'
import type { DicomFolderImportSpec, FolderPerClassImportSpec } from '@shared/library/importSpecs'
import { classifyFile } from '@shared/library/rules'
import { isRasterFile, listFiles, looksLikeDicom } from './fileTree'
import type { FoundFile } from './fileTree'
import { createPatientResolver, perImagePatientsIssue } from './patients'
import { IssueList } from './plan'
import type { PlannedFolder, PlannedItem } from './plan'
import type { PlanContext } from './planImport'
import { readableSource } from './readable'

/** Images planned from a folder tree, with the issues found and a per-folder summary. */
export interface FolderImagePlan {
  items: Array<Extract<PlannedItem, { kind: 'image' }>>
  issues: IssueList
  folders: PlannedFolder[]
  rootFolder: string
}

/**
 * Plan a folder-per-class import: each PNG/JPEG/DICOM file under the root gets its class from the class rules
 * (or its folder's name) and its patient from the file name. Files in no class folder are listed, not guessed.
 * @param spec the parsed spec.
 */
export async function planFolderPerClassImages(spec: FolderPerClassImportSpec, context: Pick<PlanContext, 'readable'>): Promise<FolderImagePlan> {
  const rootFolder = await readableSource(context.readable, resolve(spec.rootFolder), 'image folder')
  const issues = new IssueList()
  const files = (await listFiles(rootFolder, 'image folder')).filter((file) => isRasterFile(file.fileName) || /\.(dcm|dicom)$/i.test(file.fileName))
  const patientOf = createPatientResolver(spec.patient, issues)
  const items: FolderImagePlan['items'] = []
  const folderClasses = new Map<string, { files: number; classes: Set<string> }>()
  for (const file of files) {
    const folder = folderClasses.get(file.folders.join('/')) ?? { files: 0, classes: new Set<string>() }
    folder.files += 1
    folderClasses.set(file.folders.join('/'), folder)
    const match = classifyFile(file.folders, file.fileName, spec.classes)
    if (match.kind === 'ignored') {
      issues.add({ code: 'class-ignored', severity: 'info', file: file.path, message: `${file.relativePath}: folder "${match.folder}" is set to be ignored` })
      continue
    }
    if (match.kind === 'unmatched') {
      const why = spec.classes ? 'no class rule matches its folder and name' : 'it is not inside a class folder'
      issues.add({ code: 'no-class-rule', severity: 'warning', file: file.path, message: `${file.relativePath}: skipped, ${why}` })
      continue
    }
    folder.classes.add(match.class)
    items.push({
      kind: 'image',
      sourceKey: file.relativePath,
      path: file.path,
      payload: {
        label: match.class,
        patientId: patientOf({ sourceKey: file.relativePath, fileName: file.fileName, file: file.relativePath }),
        attributes: file.folders.length > 0 ? { folder: file.folders.join('/') } : {},
      },
    })
  }
  if (items.length === 0) {
    issues.block({
      code: 'no-images',
      file: rootFolder,
      message: `${rootFolder}: no PNG, JPEG or DICOM file matches a class (${files.length} image file(s) found); check the class folders and rules`,
    })
  }
  if (spec.patient.kind === 'per-image' && items.length > 0) issues.add(perImagePatientsIssue(items.length))
  return { items, issues, folders: summariseFolders(folderClasses), rootFolder }
}

/**
 * Plan a DICOM folder import: every file that looks like DICOM (by content, or a `.dcm` name), labelled by the
 * fixed label or its folder. Patients, studies and views come from the headers while importing.
 * @param spec the parsed spec.
 */
export async function planDicomFolderImages(spec: DicomFolderImportSpec, context: Pick<PlanContext, 'readable'>): Promise<FolderImagePlan> {
  const rootFolder = await readableSource(context.readable, resolve(spec.rootFolder), 'DICOM folder')
  const issues = new IssueList()
  const files = await listFiles(rootFolder, 'DICOM folder')
  const items: FolderImagePlan['items'] = []
  const folderClasses = new Map<string, { files: number; classes: Set<string> }>()
  for (const file of files) {
    if (!(await isDicomCandidate(file))) {
      issues.add({ code: 'not-dicom', severity: 'info', file: file.path, message: `${file.relativePath}: not a DICOM file, skipped` })
      continue
    }
    const key = file.folders.join('/')
    const folder = folderClasses.get(key) ?? { files: 0, classes: new Set<string>() }
    folder.files += 1
    folderClasses.set(key, folder)
    const label = spec.label.kind === 'fixed' ? spec.label.value : file.folders[file.folders.length - 1]
    if (label === undefined) {
      issues.add({ code: 'no-class-rule', severity: 'warning', file: file.path, message: `${file.relativePath}: skipped, it is not inside a class folder` })
      continue
    }
    folder.classes.add(label)
    items.push({ kind: 'image', sourceKey: file.relativePath, path: file.path, payload: { label, attributes: {} } })
  }
  if (items.length === 0) {
    issues.block({ code: 'no-images', file: rootFolder, message: `${rootFolder}: no DICOM file found (${files.length} file(s) looked at)` })
  }
  return { items, issues, folders: summariseFolders(folderClasses), rootFolder }
}

async function isDicomCandidate(file: FoundFile): Promise<boolean> {
  // Part of the plan, so a README or a thumbnail in the folder is listed as skipped instead of failing decode.
  if (isRasterFile(file.fileName) || /\.(txt|csv|tsv|md|json|xml|html?|pdf|zip)$/i.test(file.fileName)) return false
  try {
    return await looksLikeDicom(file.path)
  } catch {
    return false
  }
}

function summariseFolders(folders: Map<string, { files: number; classes: Set<string> }>): PlannedFolder[] {
  return [...folders]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([folder, entry]) => ({ folder, files: entry.files, class: entry.classes.size > 0 ? [...entry.classes].sort().join(', ') : null }))
}
