import type { z } from 'zod'
import type { IpcError } from './envelope'

/**
 * Error messages in words a radiologist can act on, made in one place: schema problems name the field as the form
 * calls it ("Epochs must be at least 1."), never a request path (`config.epochs: Too small: expected number to be
 * >=1`), and a failed call never shows the internal channel it went through (`library.previewCsv: …`).
 */

/**
 * Fields as the app's forms name them, by request path (array indices and record keys written `*`). Paths not
 * listed fall back to their last part in words ("testFraction" → "test fraction").
 */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  // Import wizard.
  'spec.dataset.id': 'Dataset id',
  'spec.dataset.name': 'Dataset name',
  'spec.dataset.description': 'Source, licence and notes',
  'spec.csvPath': 'Table',
  'spec.imageFolder': 'Images are in',
  'spec.fileColumn': 'Image file column',
  'spec.label': 'Label column',
  'spec.label.column': 'Label column',
  'spec.label.values': 'Classes',
  'spec.label.values.*': 'A class name',
  'spec.label.value': 'Class of every image in this folder',
  'spec.patient': 'Patient column',
  'spec.patient.column': 'Patient column',
  'spec.patient.patterns': 'Patient id patterns',
  'spec.patient.patterns.*': 'A patient id pattern',
  'spec.viewColumn': 'View column',
  'spec.keepColumns': 'Extra columns to keep',
  'spec.classes': 'Classes by folder',
  'spec.classes.*.folder': 'The folder of a class rule',
  'spec.classes.*.class': 'The class of a class rule',
  'spec.classes.*.fileNamePattern': 'File name contains',
  'spec.masks': 'Lung masks',
  'spec.masks.folder': 'Mask folder',
  'spec.masks.leftFolder': 'Left-lung folder',
  'spec.masks.rightFolder': 'Right-lung folder',
  'spec.masks.csvPath': 'Mask table',
  'spec.masks.imageColumn': 'Image column of the mask table',
  'spec.masks.maskColumn': 'Mask column of the mask table',
  rootFolder: 'Folder',
  path: 'Folder',
  // Composition builder.
  'spec.name': 'Name',
  'spec.primary': 'Datasets split into train/test',
  'spec.borrow': 'Borrow negatives from',
  'spec.balance': 'Balance the classes by',
  'spec.testFraction': 'Test share',
  'spec.validationFraction': 'Validation share of training',
  'spec.seed': 'Seed',
  'spec.labelMapping': 'What each label means',
  'spec.labelMapping.*': 'What each label means',
  'spec.labelMapping.*.*': 'What a label means',
  'spec.disjointFrom': 'Keep out the patients of',
  name: 'Name',
  // Run launcher.
  'config.name': 'Name',
  'config.compositionId': 'Fine-tune on the composition',
  'config.architecture': 'Network',
  'config.epochs': 'Epochs',
  'config.batchSize': 'Batch',
  'config.learningRate': 'Learning rate',
  'config.seed': 'Seed',
  'config.input.crop': 'Input size',
  'config.input.resize': 'Input size',
  'config.baseWidth': 'Width',
  'config.preprocessing': 'Input to the network',
  'config.pretraining.datasetIds': 'Pre-train on',
  'config.pretraining.epochs': 'Pre-training epochs',
  'config.pretraining.labelMap': 'Pre-training classes',
  'config.pretraining.labelMap.*': 'A pre-training class',
  // Study launcher.
  'spec.seeds': 'Seeds per cell',
  'spec.architectures': 'Networks',
  'spec.preprocessing': 'Input preprocessing',
  'spec.compositions': 'Train on',
  'spec.testSets': 'Also test on',
  'spec.training.epochs': 'Epochs',
  'spec.training.batchSize': 'Batch',
  'spec.training.learningRate': 'Learning rate',
  'spec.training.baseWidth': 'Width',
  'spec.training.input.crop': 'Input size',
}

/** A schema problem as it crosses a transport: where, and why (already in words, see {@link plainIssueReason}). */
export interface PlainIssue {
  path: string
  message: string
}

/** The form's name of a request field ("config.epochs" → "Epochs"). */
export function fieldLabel(path: readonly PropertyKey[] | string): string {
  const parts = (typeof path === 'string' ? path.split('.') : path.map(String)).filter((part) => part !== '' && part !== '(request)')
  if (parts.length === 0) return 'The request'
  // Try the whole path with indices and keys as `*`, then ever shorter prefixes: "spec.classes.0.class" finds its rule.
  for (let length = parts.length; length > 0; length--) {
    const prefix = parts.slice(0, length)
    const exact = FIELD_LABELS[prefix.join('.')]
    if (exact) return exact
    const generic = prefix.map((part) => (/^\d+$/.test(part) ? '*' : part)).join('.')
    if (FIELD_LABELS[generic]) return FIELD_LABELS[generic]
    // A record's key (a dataset id in a label mapping) also reads as `*`.
    const keyed = [...prefix.slice(0, -1).map((part) => (/^\d+$/.test(part) ? '*' : part)), '*'].join('.')
    if (FIELD_LABELS[keyed]) return FIELD_LABELS[keyed]
  }
  const last = [...parts].reverse().find((part) => !/^\d+$/.test(part)) ?? parts[parts.length - 1]
  const words = last.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** zod's own messages start like this; anything else was written by us for people and is kept as it is. */
const ZOD_DEFAULT = /^(Too (small|big)|Invalid|Unrecognized key|Expected)/

/** Why a value was refused, as the end of a sentence whose subject is the field: "must be at least 1". */
export function plainIssueReason(issue: z.core.$ZodIssue): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message
  switch (issue.code) {
    case 'invalid_type': {
      if (/received undefined/.test(issue.message)) return 'is missing'
      if (/received NaN/.test(issue.message) || issue.expected === 'number' || issue.expected === 'int') return 'needs a number'
      if (issue.expected === 'array') return 'needs a list'
      if (issue.expected === 'string') return 'needs some text'
      return 'has the wrong kind of value'
    }
    case 'too_small': {
      const minimum = Number(issue.minimum)
      if (issue.origin === 'array' || issue.origin === 'set') return minimum <= 1 ? 'needs at least one entry' : `needs at least ${minimum} entries`
      if (issue.origin === 'string') return minimum <= 1 ? 'cannot be empty' : `needs at least ${minimum} characters`
      return issue.inclusive === false ? `must be more than ${minimum}` : `must be at least ${minimum}`
    }
    case 'too_big': {
      const maximum = Number(issue.maximum)
      if (issue.origin === 'array' || issue.origin === 'set') return `can have at most ${maximum} entries`
      if (issue.origin === 'string') return `can be at most ${maximum} characters long`
      return issue.inclusive === false ? `must be less than ${maximum}` : `must be at most ${maximum}`
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of ${issue.values.map(String).join(', ')}`
    case 'invalid_format':
      return issue.format === 'regex' ? 'has characters that are not allowed here' : `is not a valid ${issue.format}`
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`
    case 'unrecognized_keys':
      return `has settings the app does not know (${issue.keys.join(', ')})`
    case 'invalid_union':
      return 'is not one of the accepted choices'
    default:
      return 'is not valid'
  }
}

/** Schema problems as transportable issues: the path as written, the reason in words. */
export function plainIssues(issues: readonly z.core.$ZodIssue[]): PlainIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(request)', message: plainIssueReason(issue) }))
}

/** One sentence per problem, naming the field as the form does: "Epochs must be at least 1." */
export function describeIssues(issues: readonly (z.core.$ZodIssue | PlainIssue)[]): string[] {
  const sentences = issues.map((issue) => {
    const reason = 'code' in issue ? plainIssueReason(issue as z.core.$ZodIssue) : issue.message
    const label = fieldLabel(issue.path as PropertyKey[] | string)
    // A message written for people may already name its field ("dataset id must be …").
    return sentence(reason.toLowerCase().startsWith(label.toLowerCase()) ? reason : `${label} ${reason}`)
  })
  return [...new Set(sentences)]
}

/** Starts with a capital and ends with a full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim()
  if (!trimmed) return trimmed
  // A message that starts with a name (a file, a folder, an id: "notes.txt: not a DICOM…") keeps it as written.
  const firstWord = /^\S+/.exec(trimmed)?.[0] ?? ''
  const isName = /[./\\_\d]/.test(firstWord.replace(/[.:,;!?]+$/, ''))
  const capital = isName ? trimmed : trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
  return /[.!?…)]$/.test(capital) ? capital : `${capital}.`
}

/**
 * What the page says when a call fails: the service's own words (they name files and fields), schema problems as
 * sentences naming the form's fields, and for transport problems what to do; never the channel name.
 */
export function plainErrorMessage(error: Pick<IpcError, 'code' | 'message' | 'issues'>): string {
  switch (error.code) {
    case 'INVALID_REQUEST':
      if (error.issues?.length) {
        const sentences = describeIssues(error.issues)
        return sentences.length === 1 ? `Please check this setting: ${sentences[0]}` : `Please check these settings: ${sentences.join(' ')}`
      }
      return 'The app could not read this request. Reload the page and try again.'
    case 'TRANSPORT_ERROR':
      return `${sentence(error.message)} Keep the app running (the window, or the terminal where \`npm run web\` started), then try again.`
    case 'UNAUTHORIZED':
      return 'The app did not accept this page. Open the address the app printed when it started (it carries a new key each time).'
    case 'PAYLOAD_TOO_LARGE':
      return 'That is more data than the app accepts in one go. Choose a smaller file or fewer items.'
    case 'UNKNOWN_CHANNEL':
      return 'This page does not match the running app (it was updated). Reload the page.'
    default:
      return sentence(error.message)
  }
}
