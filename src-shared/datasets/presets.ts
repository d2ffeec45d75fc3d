import { CompositionError } from './errors'
import { parseCompositionSpec } from './validateSpec'
import type { CompositionSpec, LabelTarget, TestPolicy } from './types'

/**
 * The paper's five composed datasets (Table I) as composition specs.
 *
 * Citation: E. Tartaglione, C. A. Barbano, C. Berzovini, M. Calandri, M. Grangetto, "Unveiling COVID-19 from
 * Chest X-ray with deep learning: a hurdles race with small data", arXiv:2004.05405 (2020; journal version in
 * Int. J. Environ. Res. Public Health 17(18), 6933) — Section III-A (datasets), Section IV and Table I
 * (composition, 70/30 test, 80/20 validation, balancing); their code:
 * https://github.com/EIDOSlab/unveiling-covid19-from-cxr (`train-covid-classifier.py`).
 *
 * Datasets are named by role, because the library's dataset ids are local: the caller says which imported
 * dataset plays CORDA, RSNA, ChestXRay or COVID-ChestXRay.
 */
export const DATASET_ROLES = ['CORDA', 'RSNA', 'ChestXRay', 'COVID-ChestXRay'] as const
/** A dataset's role in the paper. */
export type DatasetRole = (typeof DATASET_ROLES)[number]
/** Which library dataset id plays each role. */
export type DatasetRoles = Partial<Record<DatasetRole, string>>

/**
 * Default label vocabularies per role, all overridable. Every source label is listed so nothing is mapped by
 * accident; a label the library has but this list lacks stops the composition with an `unmapped-label` error.
 */
export const PAPER_LABEL_MAPPINGS: Readonly<Record<DatasetRole, Readonly<Record<string, LabelTarget>>>> = {
  // CORDA's classes are swab results; its folders are named RX±-COVID± in the paper's code.
  CORDA: { 'COVID+': 'positive', 'COVID-': 'negative' },
  // The paper's code sets covid = 0 on every RSNA image: normal and pneumonia alike are COVID−.
  RSNA: { Normal: 'negative', 'Lung Opacity': 'negative', 'No Lung Opacity / Not Normal': 'negative' },
  // Likewise every ChestXRay (Kermany) image, including viral pneumonia: the negatives are meant to be varied
  // (Section III-C warns that all-healthy negatives teach "healthy vs unhealthy", not COVID).
  ChestXRay: { normal: 'negative', bacteria: 'negative', virus: 'negative' },
  // `finding` of ieee8023/covid-chestxray-dataset, April 2020 snapshot; COVID-19 with ARDS is still COVID+.
  'COVID-ChestXRay': {
    'COVID-19': 'positive',
    'COVID-19, ARDS': 'positive',
    SARS: 'negative',
    MERS: 'negative',
    ARDS: 'negative',
    Streptococcus: 'negative',
    Pneumocystis: 'negative',
    'E.Coli': 'negative',
    Klebsiella: 'negative',
    Legionella: 'negative',
    Chlamydophila: 'negative',
    'No Finding': 'negative',
  },
}

/**
 * COVID-ChestXRay's test set in the paper: "only 15 samples are used for testing in order to compare with other
 * works [17]–[19] that use the same partitioning" — Table I: 10 COVID+ and 5 COVID−.
 */
export const COVID_CHESTXRAY_TEST_POLICY: TestPolicy = { kind: 'count', positive: 10, negative: 5 }

/** Section III-A: the paper used "a subset of 137 CXRs (PA)" of COVID-ChestXRay. */
export const COVID_CHESTXRAY_VIEWS: readonly string[] = ['PA']

/** Choices the paper leaves to the user. */
export interface PaperPresetOptions {
  seed?: number
  /** Replacement label mappings per role (whole mapping per role, not merged). */
  labels?: Partial<Record<DatasetRole, Record<string, LabelTarget>>>
  /** The exact published 15-image COVID-ChestXRay test list (content hashes), instead of 10 + 5 drawn by patient. */
  covidChestXRayTestImages?: string[]
  /** Views kept for COVID-ChestXRay (default PA); `null` keeps every view. */
  covidChestXRayViews?: string[] | null
}

/** Names of the paper's compositions, in Table I's order. */
export const PAPER_PRESET_NAMES = ['CORDA', 'CORDA&ChestXRay', 'CORDA&RSNA', 'CORDA&COVID-ChestXRay', 'COVID-ChestXRay'] as const
/** One of the paper's compositions. */
export type PaperPresetName = (typeof PAPER_PRESET_NAMES)[number]

/** Roles each preset needs. */
export const PAPER_PRESET_ROLES: Readonly<Record<PaperPresetName, readonly DatasetRole[]>> = {
  CORDA: ['CORDA'],
  'CORDA&ChestXRay': ['CORDA', 'ChestXRay'],
  'CORDA&RSNA': ['CORDA', 'RSNA'],
  'CORDA&COVID-ChestXRay': ['CORDA', 'COVID-ChestXRay'],
  'COVID-ChestXRay': ['COVID-ChestXRay'],
}

/**
 * The paper's compositions, each a function of the role assignment:
 * - `CORDA`: CORDA alone, training balanced by subsampling COVID+ (Table I: 126 = 84 + 42 validation / 105).
 * - `CORDA&ChestXRay`, `CORDA&RSNA`: CORDA plus COVID− borrowed into every split up to the COVID+ count
 *   (train 207/105 + 102, test 90/45 + 45).
 * - `CORDA&COVID-ChestXRay`: both COVID datasets split, COVID-ChestXRay with its fixed 10 + 5 test set;
 *   training subsampled (165/129 = train + validation).
 * - `COVID-ChestXRay`: alone, fixed 10 + 5 test set, not balanced (Table I: 98/24 train).
 * @throws CompositionError `invalid-spec` when a needed role is not assigned.
 */
export const paperPresets: Readonly<Record<PaperPresetName, (roles: DatasetRoles, options?: PaperPresetOptions) => CompositionSpec>> = {
  CORDA: (roles, options = {}) => build('CORDA', roles, options, { primary: ['CORDA'], balance: 'subsample' }),
  'CORDA&ChestXRay': (roles, options = {}) =>
    build('CORDA&ChestXRay', roles, options, { primary: ['CORDA'], borrow: ['ChestXRay'], balance: 'borrow' }),
  'CORDA&RSNA': (roles, options = {}) => build('CORDA&RSNA', roles, options, { primary: ['CORDA'], borrow: ['RSNA'], balance: 'borrow' }),
  'CORDA&COVID-ChestXRay': (roles, options = {}) =>
    build('CORDA&COVID-ChestXRay', roles, options, { primary: ['CORDA', 'COVID-ChestXRay'], balance: 'subsample' }),
  'COVID-ChestXRay': (roles, options = {}) => build('COVID-ChestXRay', roles, options, { primary: ['COVID-ChestXRay'], balance: 'none' }),
}

/**
 * Every paper preset whose roles are all assigned, in Table I's order.
 * @param roles which dataset plays which role.
 * @param options seed, label and test-set overrides.
 */
export function availablePaperPresets(roles: DatasetRoles, options: PaperPresetOptions = {}): CompositionSpec[] {
  return PAPER_PRESET_NAMES.filter((name) => PAPER_PRESET_ROLES[name].every((role) => roles[role])).map((name) =>
    paperPresets[name](roles, options),
  )
}

function build(
  name: PaperPresetName,
  roles: DatasetRoles,
  options: PaperPresetOptions,
  shape: { primary: DatasetRole[]; borrow?: DatasetRole[]; balance: CompositionSpec['balance'] },
): CompositionSpec {
  const missing = PAPER_PRESET_ROLES[name].filter((role) => !roles[role])
  if (missing.length > 0) {
    throw new CompositionError('invalid-spec', `Preset "${name}" needs a dataset for role(s): ${missing.join(', ')}.`, missing)
  }
  const id = (role: DatasetRole) => roles[role] as string
  const used = [...shape.primary, ...(shape.borrow ?? [])]
  const covidChestXRay = used.includes('COVID-ChestXRay') ? id('COVID-ChestXRay') : undefined
  const views = options.covidChestXRayViews === undefined ? [...COVID_CHESTXRAY_VIEWS] : options.covidChestXRayViews
  const testPolicy: TestPolicy = options.covidChestXRayTestImages
    ? { kind: 'images', contentHashes: [...options.covidChestXRayTestImages] }
    : { ...COVID_CHESTXRAY_TEST_POLICY }
  return parseCompositionSpec({
    name,
    primary: shape.primary.map(id),
    borrow: (shape.borrow ?? []).map(id),
    balance: shape.balance,
    // Section IV: "For all the datasets we used 70% of data at training time and 30% as test-set. Training data
    // are then further divided in training-set (80%) and validation-set (20%)."
    testFraction: 0.3,
    validationFraction: 0.2,
    seed: options.seed ?? 0,
    labelMapping: Object.fromEntries(used.map((role) => [id(role), { ...(options.labels?.[role] ?? PAPER_LABEL_MAPPINGS[role]) }])),
    ...(covidChestXRay ? { testPolicy: { [covidChestXRay]: testPolicy } } : {}),
    ...(covidChestXRay && views ? { views: { [covidChestXRay]: views } } : {}),
  })
}
