import type { Architecture, RunConfigInput } from '@shared/runs/config'

/** Plain-language help for each choice of the launcher. */
export const HELP = {
  architecture: {
    resnet18: 'ResNet-18: 11 M parameters; the paper’s best trade-off on small COVID sets.',
    resnet50: 'ResNet-50: 24 M parameters; more capacity, more prone to over-fit a few hundred images, and slow without a GPU.',
    conv8: 'Conv8: a small 8-layer network (ALL-CNN-C style); the paper’s check that size matters.',
    covidnet:
      'COVID-Net (Wang et al. 2020): the network the paper’s Table IV compares with ResNet-18; 11.6 M parameters. It was designed for 480-pixel inputs; at 224 it trains about 4 times faster. It needs about 4 times ResNet-18’s memory: about 7 GB for a batch of 16 at 224 pixels, so use a batch of 4 or less at 480.',
  } satisfies Record<Architecture, string>,
  pretraining: {
    none: 'No pre-training: the encoder starts from random weights (Table II’s “no pre-training” rows).',
    train: 'Pre-train the encoder now on a pneumonia set (normal / bacterial / viral), then fine-tune on COVID data.',
    run: 'Reuse the encoder of a finished run (same architecture and input size).',
  },
  preprocessing: {
    full: 'Equalize, keep the lungs (U-Net mask, blurred 3 px), scale to [0, 1]: the paper’s chain (Fig. 1).',
    equalize: 'Histogram equalization and scaling only, no lung mask.',
    raw: 'Pixels as stored, scaled to [0, 1]: the paper’s “without pre-processing” ablation, where shortcuts thrive.',
  },
} as const

/** A cell of the paper's grid: architecture × pre-training. */
export interface GridPreset {
  id: string
  label: string
  architecture: Architecture
  pretrain: 'none' | 'train'
}

/**
 * The paper's grid (Table II, and COVID-Net from Table IV): each architecture with and without pre-training on a
 * pneumonia set.
 */
export const PAPER_GRID: GridPreset[] = (['resnet18', 'resnet50', 'conv8', 'covidnet'] as const).flatMap((architecture) => [
  { id: `${architecture}-none`, label: `${architecture}, no pre-training`, architecture, pretrain: 'none' as const },
  { id: `${architecture}-pretrained`, label: `${architecture}, pre-trained on pneumonia`, architecture, pretrain: 'train' as const },
])

/** A launcher preset: a cell of the paper's grid, or the quick look with its own sizes. */
export interface LaunchPreset extends GridPreset {
  /** Sizes that differ from the paper's defaults (224 px, standard width, 20 epochs). */
  options?: { inputSize: number; baseWidth: number; epochs: number }
}

/**
 * The quick look: a narrow ResNet-18 (first stage 16 wide instead of 64) on 128-pixel inputs for 4 epochs, to walk the
 * whole path (train, evaluate, read the matrix) in minutes before the paper's runs, which take hours on 2 cores.
 * Its numbers are not the paper's: it is a rehearsal, and its name says so.
 */
export const QUICK_LOOK: LaunchPreset = {
  id: 'quick',
  label: 'Quick look (small ResNet-18, 128 px, 4 epochs)',
  architecture: 'resnet18',
  pretrain: 'none',
  options: { inputSize: 128, baseWidth: 16, epochs: 4 },
}

/** Every preset the launcher offers: the quick look first, then the paper's grid. */
export const LAUNCH_PRESETS: LaunchPreset[] = [QUICK_LOOK, ...PAPER_GRID]

/** Kermany's class names map onto the pre-training classes as they are; other labels the user maps. */
export function guessPretrainClass(label: string): 'normal' | 'bacteria' | 'virus' | 'exclude' | '' {
  const lower = label.toLowerCase()
  if (/normal|no finding/.test(lower)) return 'normal'
  if (/bacteri/.test(lower)) return 'bacteria'
  if (/vir/.test(lower)) return 'virus'
  return ''
}

/** Defaults close to the paper's PyTorch setup (SGD, momentum 0.9, lr 0.01, 224 crop of a 256 resize). */
export function baseConfig(): Omit<RunConfigInput, 'architecture' | 'compositionId'> {
  return { epochs: 20, batchSize: 16, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 }, preprocessing: 'full', seed: 0 }
}
