import { describe, expect, it } from 'vitest'
import { guessLabelTarget, suggestClassName } from '@shared/datasets/labelGuess'

describe('first guesses of labels', () => {
  it('names the values of a 0/1 COVID column COVID+ and COVID-, and leaves other columns’ values as they are', () => {
    expect(suggestClassName('covid', '1', ['1', '0'])).toBe('COVID+')
    expect(suggestClassName('covid', '0', ['1', '0'])).toBe('COVID-')
    expect(suggestClassName('COVID_positive', 'yes', ['yes', 'no'])).toBe('COVID+')
    // Not a COVID column, or not yes/no: the value is its own class name.
    expect(suggestClassName('pneumonia', '1', ['1', '0'])).toBe('1')
    expect(suggestClassName('covid', 'maybe', ['1', 'maybe'])).toBe('maybe')
  })

  it('maps only labels that say what they are: COVID+ and COVID-19 positive, COVID− and normal negative, others for the user', () => {
    for (const label of ['COVID+', 'COVID-19', 'covid-19, ARDS', 'COVID positive']) expect(guessLabelTarget(label)).toBe('positive')
    for (const label of ['COVID-', 'COVID−', 'covid negative', 'non-COVID', 'Normal', 'No Finding']) expect(guessLabelTarget(label)).toBe('negative')
    for (const label of ['SARS', 'bacteria', 'Lung Opacity', '1', '']) expect(guessLabelTarget(label)).toBe('')
  })
})
