import { describe, expect, it } from 'vitest'
import { ImportSpecSchema, KERMANY_CLASS_RULES, KERMANY_PATIENT_PATTERNS, kermanyFolderSpec } from '@shared/library/importSpecs'
import { checkPatientPattern, classifyFile, createPatientMatcher, fileStem } from '@shared/library/rules'

describe('patient patterns', () => {
  it('finds Kermany patients in both naming schemes without mixing their numbers', () => {
    const match = createPatientMatcher(KERMANY_PATIENT_PATTERNS)
    expect(match('person1200_bacteria_3129.jpeg')).toBe('person1200')
    expect(match('IM-1200-0001.jpeg')).toBe('IM-1200')
    expect(match('NORMAL2-IM-0173-0001-0002.jpeg')).toBe('IM-0173')
    expect(match('scan.png')).toBeUndefined()
  })

  it('explains what is wrong with a pattern', () => {
    expect(checkPatientPattern('person(?<patient>\\d+)_')).toBeUndefined()
    expect(checkPatientPattern('person(\\d+)_')).toContain('needs a named group (?<patient>…)')
    expect(checkPatientPattern('person(?<patient>\\d+')).toContain('is not a valid regular expression')
    expect(checkPatientPattern('[(?<patient>x)]')).toContain('needs a named group')
  })

  it('is checked by the spec schema', () => {
    const result = ImportSpecSchema.safeParse({
      kind: 'folder-per-class',
      dataset: { id: 'k' },
      rootFolder: '/data',
      patient: { kind: 'file-name', patterns: ['person(\\d+)'] },
    })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]).toMatchObject({ path: ['patient', 'patterns', 0], message: expect.stringContaining('named group') })
  })
})

describe('class rules', () => {
  it("sorts Kermany's pneumonia folder into bacteria and virus by file name", () => {
    expect(classifyFile(['test', 'NORMAL'], 'IM-0001-0001.jpeg', KERMANY_CLASS_RULES)).toEqual({ kind: 'class', class: 'normal' })
    expect(classifyFile(['train', 'PNEUMONIA'], 'person1_bacteria_1.jpeg', KERMANY_CLASS_RULES)).toEqual({ kind: 'class', class: 'bacteria' })
    expect(classifyFile(['train', 'PNEUMONIA'], 'person1_VIRUS_6.jpeg', KERMANY_CLASS_RULES)).toEqual({ kind: 'class', class: 'virus' })
    expect(classifyFile(['PNEUMONIA'], 'person2_fungal_1.jpeg', KERMANY_CLASS_RULES)).toEqual({ kind: 'unmatched' })
    expect(classifyFile(['samples'], 'IM-0630-0001.png', KERMANY_CLASS_RULES)).toEqual({ kind: 'unmatched' })
  })

  it('uses the folder name when there are no rules, and can ignore a folder', () => {
    expect(classifyFile(['covid'], 'a.png', undefined)).toEqual({ kind: 'class', class: 'covid' })
    expect(classifyFile([], 'a.png', undefined)).toEqual({ kind: 'unmatched' })
    expect(classifyFile(['extra'], 'a.png', [{ folder: 'extra', class: null }])).toEqual({ kind: 'ignored', folder: 'extra' })
  })

  it('prefills the Kermany spec', () => {
    const spec = ImportSpecSchema.parse(kermanyFolderSpec('/data/kermany', { id: 'chestxray' }))
    expect(spec).toMatchObject({ kind: 'folder-per-class', duplicates: 'keep', thumbnails: true, classes: KERMANY_CLASS_RULES })
  })

  it('strips only the last extension', () => {
    expect(fileStem('a.b.png')).toBe('a.b')
    expect(fileStem('.hidden')).toBe('.hidden')
    expect(fileStem('noext')).toBe('noext')
  })
})
