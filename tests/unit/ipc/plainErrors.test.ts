import { describe, expect, it } from 'vitest'
import { IpcCallError } from '@shared/ipc'
import { describeIssues, fieldLabel, plainErrorMessage, sentence } from '@shared/ipc/plainErrors'
import { RunConfigSchema } from '@shared/runs/config'
import { StartImportRequestSchema } from '@shared/library/requests'
import { createDispatcher } from '../../../src-main/ipc/dispatcher'
import { createSpyHandlers } from '../../helpers/fakeHandlers'

const quiet = { warn: () => undefined, error: () => undefined }

/** What the page would show for a call the gate refuses. */
async function shownFor(channel: string, payload: unknown): Promise<string> {
  const outcome = await createDispatcher(createSpyHandlers().handlers, quiet).dispatch(channel, payload)
  if (outcome.ok) throw new Error('expected a refusal')
  return new IpcCallError(channel, outcome.error).message
}

describe('plain-language errors', () => {
  it('names fields as the forms do, with indices and record keys read as any entry', () => {
    expect(fieldLabel('config.epochs')).toBe('Epochs')
    expect(fieldLabel(['spec', 'classes', 0, 'class'])).toBe('The class of a class rule')
    expect(fieldLabel('spec.labelMapping.covid-chestxray')).toBe('What each label means')
    expect(fieldLabel('spec.somethingNew')).toBe('Something new')
    expect(fieldLabel('(request)')).toBe('The request')
  })

  it('turns a run form that the gate refuses into a sentence naming the field, without the channel', async () => {
    const message = await shownFor('runs.estimate', { config: { architecture: 'resnet18', compositionId: 'c', epochs: 0 } })
    expect(message).toBe('Please check this setting: Epochs must be at least 1.')
    expect(message).not.toMatch(/runs\.estimate|config\.|Too small/)
  })

  it('says an empty number box needs a number, and lists every field at fault once', async () => {
    const message = await shownFor('runs.start', { config: { architecture: 'resnet18', compositionId: 'c', epochs: Number.NaN, batchSize: 0 } })
    expect(message).toBe('Please check these settings: Batch must be at least 1. Epochs needs a number.')
  })

  it('says a folder layout without class rules needs one, in the wizard’s words', async () => {
    const message = await shownFor('library.previewImport', { spec: { kind: 'folder-per-class', dataset: { id: 'x' }, rootFolder: '/data/x', classes: [] } })
    expect(message).toContain('Classes by folder needs at least one entry.')
    expect(message).not.toMatch(/spec\.classes|library\.previewImport/)
  })

  it('keeps messages written for people as they are', () => {
    const parsed = StartImportRequestSchema.safeParse({ spec: { kind: 'csv', dataset: { id: '../x' }, csvPath: '/a.csv', fileColumn: 'f', label: { kind: 'column', column: 'l' }, patient: { kind: 'per-image' } } })
    expect(parsed.success).toBe(false)
    const [first] = describeIssues(parsed.error!.issues)
    expect(first).toMatch(/^Dataset id must be/)
  })

  it('says what to do about a lost connection, a stale page or a refused key', () => {
    expect(plainErrorMessage({ code: 'TRANSPORT_ERROR', message: 'Connection to the app was lost' })).toMatch(/^Connection to the app was lost\. Keep the app running/)
    expect(plainErrorMessage({ code: 'UNKNOWN_CHANNEL', message: 'Unknown channel "x.y"' })).toMatch(/Reload the page/)
    expect(plainErrorMessage({ code: 'SERVICE_ERROR', message: 'there is no run "abc"' })).toBe('There is no run "abc".')
  })

  it('parses run configurations with the schema the gate uses (a guard that the example above stays valid)', () => {
    expect(RunConfigSchema.safeParse({ architecture: 'resnet18', compositionId: 'c', epochs: 1 }).success).toBe(true)
  })
})

describe('sentence', () => {
  it('capitalises words and ends with a full stop, but never changes a name it starts with', () => {
    expect(sentence('the folder is empty')).toBe('The folder is empty.')
    expect(sentence('done.')).toBe('Done.')
    expect(sentence('notes.txt: not a DICOM, PNG or JPEG file (unrecognised content)')).toBe('notes.txt: not a DICOM, PNG or JPEG file (unrecognised content)')
    expect(sentence('/data/scans/a.dcm is missing')).toBe('/data/scans/a.dcm is missing.')
    expect(sentence('image_12: truncated')).toBe('image_12: truncated.')
  })
})
