import type { ImageRecord } from './types'

/**
 * The unit every split moves: a patient with all their images. Section III-C: "Excluding from the test-set exams
 * taken from patients already present in the training-set is important…". Patients that share an identical
 * image (same content hash, e.g. one radiograph filed under two ids) are merged into one group, so a duplicate
 * can never land on two sides of a split either.
 */
export interface PatientGroup<T extends ImageRecord = ImageRecord> {
  /** Stable key: the smallest patient key of the group. */
  key: string
  /** `datasetId/patientId` keys of the patients merged into this group (usually one). */
  patientKeys: string[]
  records: T[]
}

/**
 * Key of a patient. Patient ids are only unique within their dataset, so the dataset id is part of the key.
 * @param record any image of the patient.
 */
export function patientKey(record: Pick<ImageRecord, 'datasetId' | 'patientId'>): string {
  return `${record.datasetId}/${record.patientId}`
}

/**
 * Group images by patient, merging patients that share a content hash (union–find over patient keys and
 * hashes). Groups come back sorted by their smallest content hash, each group's records in input order, so the
 * same images give the same groups in the same order whatever order they come in and whatever their patient ids
 * are called: a seed then determines the split on its own. Patient ids are pseudonyms keyed per library, so the
 * same study imported on two workstations carries different ids; the images' content is the same on both.
 * @param records images, possibly from several datasets.
 */
export function groupByPatient<T extends ImageRecord>(records: readonly T[]): PatientGroup<T>[] {
  const parent = new Map<string, string>()
  const find = (node: string): string => {
    let root = node
    while (parent.get(root) !== root) root = parent.get(root) as string
    // Path compression keeps the pass linear in practice on RSNA-sized inputs.
    let current = node
    while (current !== root) {
      const next = parent.get(current) as string
      parent.set(current, root)
      current = next
    }
    return root
  }
  const union = (a: string, b: string) => {
    const rootA = find(a)
    const rootB = find(b)
    if (rootA === rootB) return
    // The smaller key becomes the root so the root is the group's canonical key.
    if (rootA < rootB) parent.set(rootB, rootA)
    else parent.set(rootA, rootB)
  }
  for (const record of records) {
    const patient = `p:${patientKey(record)}`
    const content = `h:${record.contentHash}`
    if (!parent.has(patient)) parent.set(patient, patient)
    if (!parent.has(content)) parent.set(content, content)
    union(patient, content)
  }

  const groups = new Map<string, { patients: Set<string>; records: T[] }>()
  for (const record of records) {
    const root = find(`p:${patientKey(record)}`)
    let group = groups.get(root)
    if (!group) {
      group = { patients: new Set(), records: [] }
      groups.set(root, group)
    }
    group.patients.add(patientKey(record))
    group.records.push(record)
  }
  return [...groups.values()]
    .map((group) => {
      const patientKeys = [...group.patients].sort()
      const anchor = group.records.reduce((smallest, record) => (record.contentHash < smallest ? record.contentHash : smallest), group.records[0].contentHash)
      return { key: patientKeys[0], patientKeys, records: group.records, anchor }
    })
    .sort((a, b) => (a.anchor < b.anchor ? -1 : a.anchor > b.anchor ? 1 : 0))
    .map(({ anchor: _anchor, ...group }) => group)
}

/**
 * The stratum (class) of a patient group: the class of most of its images. Ties go to the class that is rarer
 * in the whole input, then to the alphabetically first. Why majority and not "any positive": the stratum only
 * decides which class's quota the group's images count against, and majority makes the counted images agree
 * with the images' own labels as often as possible; why rarer on ties: the rarer class has fewer groups, so its
 * quota is the harder one to hit. Mixed patients are rare (CORDA labels are per patient, from the swab).
 * @param records the group's images.
 * @param classOf an image's class.
 * @param classSizes image count of each class in the whole input.
 */
export function majorityClass<T>(records: readonly T[], classOf: (record: T) => string, classSizes: ReadonlyMap<string, number>): string {
  const votes = new Map<string, number>()
  for (const record of records) votes.set(classOf(record), (votes.get(classOf(record)) ?? 0) + 1)
  let best: string | undefined
  for (const [candidate, count] of votes) {
    if (best === undefined) {
      best = candidate
      continue
    }
    const bestCount = votes.get(best) ?? 0
    const rarer = (classSizes.get(candidate) ?? 0) - (classSizes.get(best) ?? 0)
    if (count > bestCount || (count === bestCount && (rarer < 0 || (rarer === 0 && candidate < best)))) best = candidate
  }
  return best as string
}
