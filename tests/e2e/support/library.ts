import { join } from 'node:path'
import { expect } from 'vitest'
import { connectBridge, grantFolderOverBridge, type TestBridgeClient } from '../../helpers/bridgeClient'
import type { BrowserModeApp } from './browserMode'
import { writeCollection } from './collection'

/** Calls a channel over the bridge and returns its result, or throws its error. */
export async function callBridge<T>(client: TestBridgeClient, channel: string, payload: unknown): Promise<T> {
  const outcome = await client.call(channel, payload)
  if (!outcome.ok) throw new Error(`${channel}: ${outcome.error.message}`)
  return outcome.result as T
}

/**
 * Puts a generated collection in the library as a dataset and saves a composition of it, through the same API the
 * UI uses; `spec` adds to the recipe (e.g. `{ testFraction: 1 }` for an external test set). Returns its id.
 */
export async function prepareComposition(app: BrowserModeApp, options: { datasetId?: string; name?: string; variant?: number; spec?: Record<string, unknown> } = {}): Promise<string> {
  const { datasetId = 'tiny', name = 'tiny split', variant = 0, spec = {} } = options
  const client = await connectBridge(`ws://127.0.0.1:${app.port}/bridge?token=${app.token}`)
  try {
    await importOverBridge(client, datasetId, variant)
    const built = await callBridge<{ composition: unknown }>(client, 'compositions.build', {
      spec: { name, primary: [datasetId], balance: 'none', seed: 1, labelMapping: { [datasetId]: { 'COVID-19': 'positive', Normal: 'negative' } }, ...spec },
    })
    return (await callBridge<{ id: string }>(client, 'compositions.save', { composition: built.composition })).id
  } finally {
    client.close()
  }
}

/** Imports a generated collection (`variant` changes its pixels) as the dataset `datasetId`, and waits for it. */
async function importOverBridge(client: TestBridgeClient, datasetId: string, variant: number): Promise<void> {
  const folder = await writeCollection(variant)
  await grantFolderOverBridge(client, folder)
  const { jobId } = await callBridge<{ jobId: string }>(client, 'library.startImport', {
    spec: { kind: 'csv', dataset: { id: datasetId }, csvPath: join(folder, 'labels.csv'), imageFolder: join(folder, 'images'), fileColumn: 'file', label: { kind: 'column', column: 'finding' }, patient: { kind: 'column', column: 'patient' } },
  })
  await expect.poll(async () => (await callBridge<{ status: string }>(client, 'library.getImportJob', { jobId })).status, { timeout: 60_000 }).toBe('completed')
}

/** Puts a generated collection in the library as the dataset `datasetId`, through the API the UI uses. */
export async function importCollection(app: BrowserModeApp, datasetId: string, variant = 0): Promise<void> {
  const client = await connectBridge(`ws://127.0.0.1:${app.port}/bridge?token=${app.token}`)
  try {
    await importOverBridge(client, datasetId, variant)
  } finally {
    client.close()
  }
}

/** Every study as the app has it (state, progress, problems, the last log lines): what a failed study test prints. */
export async function studiesAsStored(app: BrowserModeApp): Promise<string> {
  const client = await connectBridge(`ws://127.0.0.1:${app.port}/bridge?token=${app.token}`)
  try {
    const overviews = await callBridge<{ record: { spec: { name: string }; state: string; problems: unknown[]; log: string[] }; progress: unknown }[]>(client, 'studies.list', {})
    return JSON.stringify(overviews.map(({ record, progress }) => ({ name: record.spec.name, state: record.state, progress, problems: record.problems, log: record.log.slice(-12) })), null, 1)
  } catch (error) {
    return `(could not list the studies: ${(error as Error).message})`
  } finally {
    client.close()
  }
}
