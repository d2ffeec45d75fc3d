import { existsSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { MaskSource } from '@shared/library/importSpecs'
import { fileStem } from '@shared/library/rules'
import { readCsvTable } from './csvTable'
import { isInside, isRasterFile, listFiles } from './fileTree'
import { IssueList } from './plan'
import type { PlannedItem } from './plan'
import { readableSource, type ReadableCheck } from './readable'

/** An image masks can attach to: its id and file name. */
export interface MaskTarget {
  sourceKey: string
  fileName: string
}

/** Masks planned for a set of images. */
export interface MaskPlanResult {
  items: Array<Extract<PlannedItem, { kind: 'mask' }>>
  issues: IssueList
}

/**
 * Plan which mask file(s) attach to which image. Matching is by file name without extension, allowing the
 * source's suffixes (`x.png` ↔ `x_mask.png`), or by the index CSV. Masks whose image is not among `images` are
 * listed; images without a mask are normal (mask sets often cover part of a dataset).
 * @param source where the masks are.
 * @param structure what they outline (e.g. `lungs`).
 * @param images the images they may attach to (planned, or already in the dataset).
 */
export async function planMasks(source: MaskSource, structure: string, images: readonly MaskTarget[], readable: ReadableCheck): Promise<MaskPlanResult> {
  const issues = new IssueList()
  const byStem = new Map<string, string[]>()
  const byKey = new Set(images.map((image) => image.sourceKey))
  for (const image of images) {
    const stem = fileStem(image.fileName)
    byStem.set(stem, [...(byStem.get(stem) ?? []), image.sourceKey])
  }
  const claimed = new Map<string, string>()
  const items: MaskPlanResult['items'] = []

  const attach = (imageKey: string | undefined, paths: string[], maskName: string) => {
    if (imageKey === undefined) return
    const first = claimed.get(imageKey)
    if (first !== undefined) {
      issues.add({ code: 'mask-ambiguous', severity: 'warning', file: paths[0], message: `${maskName}: image "${imageKey}" already gets mask ${first}; this one is ignored` })
      return
    }
    claimed.set(imageKey, paths[0])
    items.push({ kind: 'mask', sourceKey: imageKey, path: paths[0], payload: { imageKey, paths, structure } })
  }

  const findByName = (maskPath: string, suffixes: readonly string[]): string | undefined => {
    const maskStem = fileStem(basename(maskPath))
    for (const suffix of [...suffixes].sort((a, b) => b.length - a.length)) {
      if (!maskStem.endsWith(suffix)) continue
      const candidates = byStem.get(maskStem.slice(0, maskStem.length - suffix.length)) ?? []
      if (candidates.length === 1) return candidates[0]
      if (candidates.length > 1) {
        issues.add({ code: 'mask-ambiguous', severity: 'warning', file: maskPath, message: `${basename(maskPath)}: several images are named like it (${candidates.join(', ')}); attach it through an index CSV` })
        return undefined
      }
    }
    issues.add({ code: 'mask-without-image', severity: 'warning', file: maskPath, message: `${basename(maskPath)}: no image of the dataset is named like this mask` })
    return undefined
  }

  if (source.kind === 'same-name') {
    const folder = await readableSource(readable, resolve(source.folder), 'mask folder')
    for (const file of (await listFiles(folder, 'mask folder')).filter((found) => isRasterFile(found.fileName))) {
      attach(findByName(file.path, source.suffixes), [file.path], file.relativePath)
    }
  } else if (source.kind === 'left-right') {
    const rightFolder = await readableSource(readable, resolve(source.rightFolder), 'right mask folder')
    const leftFolder = await readableSource(readable, resolve(source.leftFolder), 'left mask folder')
    for (const left of (await listFiles(leftFolder, 'left mask folder')).filter((found) => isRasterFile(found.fileName))) {
      const right = join(rightFolder, left.relativePath)
      if (!existsSync(right)) {
        issues.add({ code: 'file-missing', severity: 'error', file: left.path, message: `${left.relativePath}: left mask has no right half (${right} not found)` })
        continue
      }
      attach(findByName(left.path, source.suffixes), [left.path, right], left.relativePath)
    }
  } else {
    const csvPath = resolve(source.csvPath)
    const table = { ...(await readCsvTable(await readableSource(readable, csvPath, 'mask index CSV'))), path: csvPath }
    const name = basename(csvPath)
    for (const column of [source.imageColumn, source.maskColumn]) {
      if (!table.columns.includes(column)) {
        issues.block({ code: 'missing-column', file: csvPath, field: column, message: `${name}: mask index column "${column}" not found among the ${table.columns.length} columns of its header` })
      }
    }
    if (issues.blocking.length > 0) return { items, issues }
    const maskFolder = resolve(dirname(csvPath), source.maskFolder ?? '.')
    for (const row of table.rows) {
      const image = row.values[source.imageColumn]
      const mask = row.values[source.maskColumn]
      if (!image || !mask) continue
      const maskPath = resolve(maskFolder, mask)
      if (!isInside(maskFolder, maskPath)) {
        issues.add({ code: 'outside-folder', severity: 'error', file: maskPath, line: row.line, message: `${name}, line ${row.line}: mask "${mask}" is outside the mask folder ${maskFolder}` })
        continue
      }
      if (!existsSync(maskPath)) {
        issues.add({ code: 'file-missing', severity: 'error', file: maskPath, line: row.line, message: `${name}, line ${row.line}: mask file ${maskPath} not found` })
        continue
      }
      const imageKey = byKey.has(image) ? image : (byStem.get(fileStem(basename(image))) ?? []).length === 1 ? byStem.get(fileStem(basename(image)))![0] : undefined
      if (imageKey === undefined) {
        issues.add({ code: 'mask-without-image', severity: 'warning', file: maskPath, line: row.line, message: `${name}, line ${row.line}: image "${image}" is not in the dataset` })
        continue
      }
      attach(imageKey, [maskPath], `${name}, line ${row.line}`)
    }
  }
  return { items, issues }
}
