/**
 * The report's Grad-CAM examples: per model, the images it was surest about when right and when wrong, with where
 * it found its evidence drawn over the radiograph. Pure: data in, escaped HTML out; the pictures come ready-made.
 */
import { lungShareText, type LungShareUnknown } from '@shared/evaluation/saliency'
import { escapeHtml } from './htmlReport'
import { OVERLAY_MAX_SIDE } from './overlayPng'

/** Which kind of call an example shows. */
export type GradCamExampleKind = 'true positive' | 'false positive' | 'false negative'

/** One Grad-CAM example as the report prints it. */
export interface GradCamExample {
  runId: string
  /** The model's name (its matrix row). */
  runName: string
  /** The test set the example comes from (its matrix column name). */
  testSetName: string
  kind: GradCamExampleKind
  label: 0 | 1
  /** The model's COVID+ probability for the image, as the Grad-CAM pass computed it. */
  probability: number
  /** Share of the saliency inside the lungs; null when no lung model could tell. */
  insideLungShare: number | null
  /** Why the share is missing (see `lungShareText`); absent or null when it is known. */
  shareUnknown?: LungShareUnknown | null
  /** The dataset the image belongs to, by its name. */
  datasetName: string
  imageId: string
  /** The radiograph with its heatmap, `data:image/png;base64,…`. */
  picture: string
  /** The radiograph's size in pixels: the picture is shown at its aspect ratio, its longest side the report's picture size. */
  width: number
  height: number
}

/** The Grad-CAM part of a report. */
export interface GradCamFigures {
  examples: GradCamExample[]
  /** Models whose examples were computed, out of the models with an evaluation: the section says when it is capped. */
  runsShown: number
  runsWithEvaluations: number
  /** Examples that could not be made (an unreadable file…), as sentences: listed with the report's warnings. */
  problems: string[]
}

/** Only a PNG inlined as base64 may reach an `src`: anything else would be a reference out of the file. */
const INLINE_PNG = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/

/** The section; empty when Grad-CAM examples were not asked for. */
export function gradCamSection(figures: GradCamFigures | null | undefined): string {
  if (!figures) return ''
  const capped =
    figures.runsShown < figures.runsWithEvaluations
      ? ` Only the first ${figures.runsShown} of the ${figures.runsWithEvaluations} evaluated models are shown, to keep the report quick to make.`
      : ''
  const intro = `Where each model found its evidence (Grad-CAM, Selvaraju et al. 2017), on its first evaluated test set: the COVID+ image it was surest about (true positive), the COVID− image it most confidently called COVID+ (false positive) and the COVID+ image it most confidently called COVID− (false negative). Red marks the strongest evidence; heat outside the lungs hints at a shortcut.${capped}`
  const byRun = new Map<string, GradCamExample[]>()
  for (const example of figures.examples) byRun.set(example.runId, [...(byRun.get(example.runId) ?? []), example])
  const groups = [...byRun.values()].map((examples) => {
    const { runName, testSetName } = examples[0]
    const pictures = examples.filter((example) => INLINE_PNG.test(example.picture)).map(exampleFigure)
    return `<h3>${escapeHtml(runName)} on ${escapeHtml(testSetName)}</h3><div class="charts">${pictures.join('')}</div>`
  })
  const empty = figures.runsWithEvaluations === 0 ? 'No model has been evaluated on these test sets yet: there is nothing to explain.' : 'No example could be made; see the warnings.'
  const body = groups.length ? groups.join('') : `<p>${empty}</p>`
  return `<h2>Grad-CAM examples</h2><p class="meta">${escapeHtml(intro)}</p>${body}`
}

function exampleFigure(example: GradCamExample): string {
  const truth = example.label === 1 ? 'COVID+' : 'COVID−'
  const share = `; ${lungShareText(example.insideLungShare, example.shareUnknown ?? null)}`
  const caption = `${capitalise(example.kind)}: ${truth}, model probability of COVID+ ${example.probability.toFixed(3)}${share}; dataset ${example.datasetName}`
  const alt = `Grad-CAM heatmap of ${example.runName} over a ${truth} radiograph from ${example.datasetName} (${example.kind})`
  // Every picture shown at the same size, so a small radiograph is not a thumbnail beside a large one.
  const scale = OVERLAY_MAX_SIDE / Math.max(example.width, example.height, 1)
  const size = `width="${Math.max(1, Math.round(example.width * scale))}" height="${Math.max(1, Math.round(example.height * scale))}"`
  return `<figure class="gradcam"><img src="${escapeHtml(example.picture)}" ${size} alt="${escapeHtml(alt)}"><figcaption>${escapeHtml(caption)}<br><span class="ci">image ${escapeHtml(example.imageId)}</span></figcaption></figure>`
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
