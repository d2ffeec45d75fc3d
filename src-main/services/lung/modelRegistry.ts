/**
 * Installed lung models (the shipped one and those trained in the app) and the user's choice among them,
 * persisted in `<dataFolder>/lung-model.json`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { LungModelCardSchema, type LungModelCard } from '@shared/lung'
import type { ActiveLungModel, InstalledLungModel } from '@shared/lung/lungTraining'
import type { LungModelRef } from '@shared/runs/record'
import { MODEL_JSON } from '../engine/modelFiles'
import { lungModelIdentity, MODEL_CARD_JSON, type LungModelIdentity } from './model/lungModel'
import { LungTrainingError } from './training/errors'

/** File in the data folder that remembers the chosen lung model. */
export const ACTIVE_LUNG_MODEL_FILE = 'lung-model.json'

/** Where trained lung models live: `<dataFolder>/models/lung/<jobId>/`. */
export function trainedLungModelsDir(dataFolder: string): string {
  return join(dataFolder, 'models', 'lung')
}

/**
 * What is stored: the model's source and id, not only its folder, so the choice survives moving the data folder
 * (trained models are found again under it) and an app update that moves the shipped model's folder.
 */
interface StoredChoice {
  source: 'shipped' | 'trained'
  id: string
  /** The folder when chosen, for people reading the file. */
  folder: string
  chosenAt: string
}

/** The card of a model folder, or the reason it cannot be used. */
export async function readModelCard(folder: string): Promise<{ card: LungModelCard } | { reason: string }> {
  for (const file of [MODEL_JSON, MODEL_CARD_JSON]) {
    if (!existsSync(join(folder, file))) return { reason: `${file} is missing in ${folder}` }
  }
  try {
    const parsed = LungModelCardSchema.safeParse(JSON.parse(await readFile(join(folder, MODEL_CARD_JSON), 'utf8')))
    if (!parsed.success) return { reason: `${join(folder, MODEL_CARD_JSON)} is not a lung model card: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}` }
    return { card: parsed.data }
  } catch (error) {
    return { reason: `${join(folder, MODEL_CARD_JSON)} cannot be read: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/** The registry over one data folder. */
export interface LungModelRegistry {
  models(): Promise<InstalledLungModel[]>
  activeModel(): Promise<ActiveLungModel>
  /** The active model's folder from what was last read or written (no I/O), for synchronous wiring. */
  activeFolderNow(): string
  setActiveModel(folder: string): Promise<ActiveLungModel>
  /** The model the app uses now as a run records it (content id, name, folder); null when none is installed. */
  activeRef(): Promise<LungModelRef | null>
  /** The installed model with this content id (shipped or trained, wherever it is now); null when none is. */
  findRef(modelId: string): Promise<LungModelRef | null>
}

/**
 * @param dataFolder the app's data folder.
 * @param shippedFolder the shipped model's folder (the composition root's, which honours its env override).
 * @param now the clock.
 */
export function createLungModelRegistry(dataFolder: string, shippedFolder: () => string, now: () => Date): LungModelRegistry {
  const choiceFile = join(dataFolder, ACTIVE_LUNG_MODEL_FILE)
  const folderOf = (choice: Pick<StoredChoice, 'source' | 'id'>) => (choice.source === 'shipped' ? shippedFolder() : join(trainedLungModelsDir(dataFolder), choice.id))
  let lastActive: string | undefined = initialActiveFolder()

  /**
   * The stored choice read synchronously at creation, so the composition root can hand the chosen folder to
   * services that take a folder up front. Only checks the files exist; `activeModel()` also parses the card.
   */
  function initialActiveFolder(): string | undefined {
    try {
      const stored = JSON.parse(readFileSync(choiceFile, 'utf8')) as Partial<StoredChoice>
      if ((stored.source !== 'shipped' && stored.source !== 'trained') || typeof stored.id !== 'string') return undefined
      const folder = folderOf(stored as StoredChoice)
      return existsSync(join(folder, MODEL_JSON)) && existsSync(join(folder, MODEL_CARD_JSON)) ? folder : undefined
    } catch {
      return undefined
    }
  }

  async function describe(source: 'shipped' | 'trained', id: string, folder: string, activeFolder: string): Promise<InstalledLungModel | undefined> {
    const read = await readModelCard(folder)
    // A folder without a usable card is not offered: the app could not run it (loadLungModel would refuse).
    if ('reason' in read) return undefined
    const card = read.card as LungModelCard & { createdAt?: unknown; trainingData?: { libraryDatasetIds?: unknown } }
    const datasetIds = Array.isArray(card.trainingData?.libraryDatasetIds) ? card.trainingData.libraryDatasetIds.filter((value): value is string => typeof value === 'string') : []
    return {
      id,
      source,
      folder,
      name: card.name,
      createdAt: typeof card.createdAt === 'string' ? card.createdAt : null,
      inputSize: card.architecture.inputSize,
      depth: card.architecture.depth,
      baseFilters: card.architecture.baseFilters,
      datasetIds,
      heldOut: card.evaluation.heldOut,
      active: resolve(folder) === resolve(activeFolder),
    }
  }

  async function readChoice(): Promise<StoredChoice | undefined> {
    if (!existsSync(choiceFile)) return undefined
    try {
      const stored = JSON.parse(await readFile(choiceFile, 'utf8')) as Partial<StoredChoice>
      if ((stored.source === 'shipped' || stored.source === 'trained') && typeof stored.id === 'string') return stored as StoredChoice
    } catch {
      // A damaged choice file falls back to the shipped model (reported as fallbackReason), never blocks the app.
    }
    return { source: 'trained', id: '?', folder: '?', chosenAt: '' }
  }

  async function activeModel(): Promise<ActiveLungModel> {
    const choice = await readChoice()
    const shipped: ActiveLungModel = { folder: shippedFolder(), source: 'shipped', id: 'shipped', chosen: false, fallbackReason: null }
    let active = shipped
    if (choice) {
      const folder = folderOf(choice)
      const read = choice.id === '?' ? { reason: `${choiceFile} cannot be read` } : await readModelCard(folder)
      active = 'reason' in read ? { ...shipped, fallbackReason: `the chosen lung model cannot be used (${read.reason}); using the shipped model` } : { folder, source: choice.source, id: choice.id, chosen: true, fallbackReason: null }
    }
    lastActive = active.folder
    return active
  }

  async function models(): Promise<InstalledLungModel[]> {
    const { folder: activeFolder } = await activeModel()
    const found: InstalledLungModel[] = []
    const shipped = await describe('shipped', 'shipped', shippedFolder(), activeFolder)
    if (shipped) found.push(shipped)
    const dir = trainedLungModelsDir(dataFolder)
    if (existsSync(dir)) {
      const entries = await readdir(dir, { withFileTypes: true })
      // Dot folders are jobs in progress (or interrupted): never offered.
      const ids = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name)
      const trained = (await Promise.all(ids.map((id) => describe('trained', id, join(dir, id), activeFolder)))).filter((model): model is InstalledLungModel => model !== undefined)
      trained.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.id.localeCompare(b.id))
      found.push(...trained)
    }
    return found
  }

  async function setActiveModel(folder: string): Promise<ActiveLungModel> {
    const wanted = resolve(folder)
    const match = (await models()).find((model) => resolve(model.folder) === wanted)
    if (!match) throw new LungTrainingError('unknown-model', `${folder} is not an installed lung model (the shipped one, or one trained in the app under ${trainedLungModelsDir(dataFolder)})`)
    const choice: StoredChoice = { source: match.source, id: match.id, folder: match.folder, chosenAt: now().toISOString() }
    await mkdir(dataFolder, { recursive: true })
    // Through a temporary name: a crash mid-write must not leave a half file that silently resets the choice.
    const temporary = `${choiceFile}.${process.pid}.tmp`
    await writeFile(temporary, `${JSON.stringify(choice, null, 2)}\n`)
    await rename(temporary, choiceFile)
    return activeModel()
  }

  // Content ids hash the weights: remembered per folder until one of its files changes.
  const identities = new Map<string, { stamp: string; identity: LungModelIdentity }>()
  async function identityOf(folder: string): Promise<LungModelIdentity | null> {
    const files = [MODEL_JSON, MODEL_CARD_JSON, 'weights.bin'].map((file) => join(folder, file))
    if (!existsSync(files[0]) || !existsSync(files[1])) return null
    const stamp = files.map((file) => (existsSync(file) ? `${statSync(file).size}:${statSync(file).mtimeMs}` : '-')).join('|')
    const known = identities.get(folder)
    if (known?.stamp === stamp) return known.identity
    try {
      const identity = await lungModelIdentity(folder)
      identities.set(folder, { stamp, identity })
      return identity
    } catch {
      return null
    }
  }
  const refOf = (identity: LungModelIdentity): LungModelRef => ({ modelId: identity.modelId, name: identity.card.name, folder: identity.folder })

  return {
    models,
    activeModel,
    setActiveModel,
    activeFolderNow: () => lastActive ?? shippedFolder(),
    async activeRef() {
      const identity = await identityOf((await activeModel()).folder)
      return identity ? refOf(identity) : null
    },
    async findRef(modelId) {
      const folders = [shippedFolder(), ...(await models()).map((model) => model.folder)]
      for (const folder of new Set(folders)) {
        const identity = await identityOf(folder)
        if (identity?.modelId === modelId) return refOf(identity)
      }
      return null
    },
  }
}
