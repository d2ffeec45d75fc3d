import { readFile } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import type { CxrHandlers } from '@shared/ipc'
import type { ImportSpec } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import type { CompositionService } from '../services/datasets/compositionService'
import type { FilesService } from '../services/files/filesService'

/**
 * Binds the library and compositions to the contract. Every path a request names must lie inside a folder the
 * user chose (rule 10), by real path: the renderer can ask to import, but only from where the user pointed. The
 * library checks each file again when it reads it, so a link inside a chosen folder cannot lead outside.
 */
export function libraryHandlers(library: LibraryService, compositions: CompositionService, files: FilesService): Pick<CxrHandlers, 'library' | 'compositions'> {
  const guardSpec = async (spec: ImportSpec) => {
    for (const [field, path] of specPaths(spec)) await files.resolveGranted(path, field)
  }
  return {
    library: {
      listDatasets: (request) => library.listDatasets(request),
      getDataset: (request) => library.getDataset(request),
      deleteDataset: (request) => library.deleteDataset(request),
      listImages: (request) => library.listImages(request),
      listMasks: (request) => library.listMasks(request),
      thumbnail: async (request) => {
        const path = await library.thumbnail(request)
        return { mime: extname(path) === '.webp' ? 'image/webp' : extname(path) === '.jpg' ? 'image/jpeg' : 'image/png', bytes: new Uint8Array(await readFile(path)) }
      },
      previewCsv: async (request) => library.previewCsv({ ...request, path: await files.resolveGranted(request.path, 'CSV file') }),
      csvColumnValues: async (request) => library.csvColumnValues({ ...request, path: await files.resolveGranted(request.path, 'CSV file') }),
      scanFolder: async (request) => library.scanFolder({ rootFolder: await files.resolveGranted(request.rootFolder, 'folder') }),
      previewImport: async (request) => (await guardSpec(request.spec), library.previewImport(request)),
      startImport: async (request) => (await guardSpec(request.spec), library.startImport(request)),
      cancelImport: (request) => library.cancelImport(request),
      resumeImport: (request) => library.resumeImport(request),
      getImportJob: (request) => library.getImportJob(request),
      listImportJobs: (request) => library.listImportJobs(request),
      getImportReport: (request) => library.getImportReport(request),
    },
    compositions: {
      build: ({ spec }) => compositions.build(spec),
      save: ({ composition, name }) => compositions.save(composition, name),
      list: () => compositions.list(),
      load: ({ compositionId }) => compositions.load(compositionId),
      remove: ({ compositionId }) => compositions.remove(compositionId),
      exportJson: ({ compositionId }) => compositions.exportJson(compositionId),
      importJson: ({ json }) => compositions.importJson(json),
    },
  }
}

/** Every file or folder an import spec will read, with the field that names it. */
export function specPaths(spec: ImportSpec): [string, string][] {
  const paths: [string, string][] = []
  if (spec.kind === 'csv') {
    paths.push(['CSV file', spec.csvPath])
    // A relative image folder is relative to the CSV, as the importer reads it.
    paths.push(['image folder', resolve(dirname(spec.csvPath), spec.imageFolder ?? '.')])
  } else if (spec.kind === 'folder-per-class' || spec.kind === 'dicom-folder') {
    paths.push(['folder', spec.rootFolder])
  }
  const masks = spec.kind === 'masks' ? spec.source : spec.masks
  if (masks?.kind === 'same-name') paths.push(['mask folder', masks.folder])
  if (masks?.kind === 'index-csv') {
    paths.push(['mask index CSV', masks.csvPath])
    paths.push(['mask folder', resolve(dirname(masks.csvPath), masks.maskFolder ?? '.')])
  }
  if (masks?.kind === 'left-right') paths.push(['left mask folder', masks.leftFolder], ['right mask folder', masks.rightFolder])
  return paths
}
