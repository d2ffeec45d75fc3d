import { z } from 'zod'

/*
 * Every object here is strict: a key the schema does not know is refused (naming it), never silently dropped. A
 * misspelt "learningrate" in a run file must not train with the default rate while the file says otherwise.
 */

/**
 * What a training run does (paper Sec. III-C and IV): which network, how its input is prepared, whether its
 * encoder is pre-trained on a pneumonia set, and how it is fine-tuned on a COVID composition. Plain JSON, so
 * `cxr train CONFIG.json`, the Runs page and a run record all carry the same object.
 */

/**
 * The paper's networks: ResNet-18 (Table II), ResNet-50 (Table III), the small Conv8, and COVID-Net (Wang et al.
 * 2020, the paper's reference [20]), which Table IV compares with ResNet-18.
 */
export const ArchitectureSchema = z.enum(['resnet18', 'resnet50', 'conv8', 'covidnet'])
/** One of the paper's networks. */
export type Architecture = z.infer<typeof ArchitectureSchema>

/**
 * Each network's own head (hidden widths between its features and the output), used when a run does not set
 * `headHidden`: the paper's 512→256→1 (Sec. III-C; 2048→256→1 for ResNet-50), and COVID-Net's FC-1024 → FC-256
 * (Wang et al. 2020, Fig. 2).
 */
export const DEFAULT_HEAD_HIDDEN: Readonly<Record<Architecture, readonly number[]>> = {
  resnet18: [256],
  resnet50: [256],
  conv8: [256],
  covidnet: [1024, 256],
}

/**
 * How pixels reach the network (Sec. III-B and the ablation at the end of Sec. IV-B):
 * - `full`: equalize → lung mask (when a segmentation model is installed) → normalise → resize;
 * - `equalize`: the same without the lung mask;
 * - `raw`: presentation grey min-max scaled to [0, 1] and resized, nothing else (the "without pre-processing" rows).
 */
export const PreprocessingSchema = z.enum(['full', 'equalize', 'raw'])
/** How pixels reach the network. */
export type Preprocessing = z.infer<typeof PreprocessingSchema>

/** Resize the whole radiograph to `resize`², then keep the central `crop`² (torchvision's Resize + CenterCrop). */
export const InputSizeSchema = z
  .object({ resize: z.number().int().min(8).default(256), crop: z.number().int().min(8).default(224) })
  .refine((size) => size.crop <= size.resize, { error: 'input.crop must not exceed input.resize' })
/** Resize then centre-crop sizes. */
export type InputSize = z.infer<typeof InputSizeSchema>

/** Classes of a pneumonia set used for pre-training. */
export const PretrainClassSchema = z.enum(['normal', 'bacteria', 'virus', 'exclude'])

/**
 * Pre-training of the encoder (Sec. IV-A "To pre-train or not to pre-train?"):
 * - `none`: fine-tune from random initialisation;
 * - `run`: reuse the encoder of an earlier run (its `encoder/` folder); architecture and input size must match;
 * - `train`: train the encoder now on a pneumonia dataset of the library, as a 3-class softmax
 *   (normal / bacteria / virus, ChestXRay) or binary (normal vs pneumonia, RSNA), then fine-tune.
 */
export const PretrainingSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('run'), runId: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('train'),
    datasetIds: z.array(z.string().min(1)).min(1),
    /** `three`: softmax over normal/bacteria/virus; `binary`: sigmoid, normal (0) vs bacteria or virus (1). */
    classes: z.enum(['three', 'binary']).default('three'),
    /** Per dataset label, its class; a label of the dataset missing here is an error, never a silent default. */
    labelMap: z.record(z.string(), PretrainClassSchema),
    epochs: z.number().int().min(1).default(5),
    /** Share of patients held out to pick the best pre-training epoch. */
    validationFraction: z.number().gt(0).lt(1).default(0.1),
    /** Learning rate of the pre-training phase; defaults to the fine-tuning one. */
    learningRate: z.number().positive().optional(),
  }),
])
/** Pre-training of the encoder. */
export type Pretraining = z.infer<typeof PretrainingSchema>

/** SGD with momentum (the paper's PyTorch default) or Adam. */
export const OptimizerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sgd'), momentum: z.number().min(0).lt(1).default(0.9) }),
  z.strictObject({ kind: z.literal('adam'), beta1: z.number().min(0).lt(1).default(0.9), beta2: z.number().min(0).lt(1).default(0.999) }),
])
/** The optimizer. */
export type OptimizerConfig = z.infer<typeof OptimizerSchema>

/** Binary cross-entropy, or focal loss (Lin et al. 2017) which down-weights easy examples. */
export const LossSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bce') }),
  z.strictObject({ kind: z.literal('focal'), gamma: z.number().min(0).default(2) }),
])
/** The loss. */
export type LossConfig = z.infer<typeof LossSchema>

/** Per-class loss weights: none, inverse frequency of the training split, or given. */
export const ClassWeightsSchema = z.union([
  z.literal('none'),
  z.literal('balanced'),
  z.strictObject({ positive: z.number().positive(), negative: z.number().positive() }),
])
/** Per-class loss weights. */
export type ClassWeights = z.infer<typeof ClassWeightsSchema>

/** Divide the learning rate by `1/factor` after `patience` epochs without improvement of the checkpoint metric. */
export const ReduceOnPlateauSchema = z.strictObject({
  factor: z.number().gt(0).lt(1).default(0.1),
  patience: z.number().int().min(1).default(3),
  minLearningRate: z.number().min(0).default(1e-6),
})

/** Light augmentation: radiographs are never flipped vertically, and only slightly moved. */
export const AugmentationSchema = z.strictObject({
  horizontalFlip: z.boolean().default(false),
  /** Random rotation (degrees, ±), translation (fraction of the side, ±) and scale (±) per image, or null for none. */
  affine: z
    .object({
      rotateDegrees: z.number().min(0).max(30).default(5),
      translate: z.number().min(0).max(0.2).default(0.05),
      scale: z.number().min(0).max(0.2).default(0.05),
    })
    .nullable()
    .default(null),
})

/** A training run's configuration as written; `RunConfigSchema` parses it. */
/** The run configuration's fields before per-network defaults are filled in (for schemas derived from it, e.g. a study's shared settings). */
export const RunConfigFieldsSchema = z.strictObject({
  /** Free text shown in the Runs list. */
  name: z.string().default(''),
  architecture: ArchitectureSchema,
  /**
   * Width of the first stage (ResNet: 64; Conv8: 96 as ALL-CNN-C). Smaller widths are for tests and quick
   * looks only: the paper's networks use the defaults.
   */
  baseWidth: z.number().int().min(1).optional(),
  input: InputSizeSchema.default({ resize: 256, crop: 224 }),
  preprocessing: PreprocessingSchema.default('full'),
  pretraining: PretrainingSchema.default({ kind: 'none' }),
  /** The saved composition whose train/validation splits fine-tune the classifier (the test split is never read). */
  compositionId: z.string().min(1),
  /**
   * Hidden widths of the head between the encoder's features and the COVID+ output. Default: the network's own,
   * [256] for the paper's (its 512→256→1) and [1024, 256] for COVID-Net (its FC-1024 → FC-256).
   */
  headHidden: z.array(z.number().int().min(1)).optional(),
  /** Train the head only. The paper fine-tunes the encoder too (Sec. III-C): freezing is for comparison. */
  freezeEncoder: z.boolean().default(false),
  optimizer: OptimizerSchema.default({ kind: 'sgd', momentum: 0.9 }),
  learningRate: z.number().positive().default(0.01),
  /** L2 penalty on kernels (PyTorch's `weight_decay` for SGD). */
  weightDecay: z.number().min(0).default(0),
  batchSize: z.number().int().min(1).default(16),
  epochs: z.number().int().min(1).default(20),
  reduceOnPlateau: ReduceOnPlateauSchema.nullable().default(null),
  /** Stop after this many epochs without improvement of the checkpoint metric; null trains all epochs. */
  earlyStoppingPatience: z.number().int().min(1).nullable().default(null),
  /** The epoch kept as the model: best validation AUC, or lowest validation loss. */
  checkpointMetric: z.enum(['valAuc', 'valLoss']).default('valAuc'),
  loss: LossSchema.default({ kind: 'bce' }),
  classWeights: ClassWeightsSchema.default('none'),
  /** Seed of initialisation, data order and augmentation: the same seed replays the same run. */
  seed: z.number().int().default(0),
  augmentation: AugmentationSchema.default({ horizontalFlip: false, affine: null }),
  /** Also save a resumable checkpoint every N steps (0: only at the end of each epoch and on cancel). */
  checkpointEverySteps: z.number().int().min(0).default(0),
})

/** A training run's configuration, defaults filled in (the head's widths by architecture when not given). */
export const RunConfigSchema = RunConfigFieldsSchema.transform((config) => ({
  ...config,
  headHidden: config.headHidden ?? [...DEFAULT_HEAD_HIDDEN[config.architecture]],
}))
/** A parsed run configuration. */
export type RunConfig = z.infer<typeof RunConfigSchema>
/** A run configuration as a caller writes it (defaults optional). */
export type RunConfigInput = z.input<typeof RunConfigSchema>

/** The default first-stage width of each architecture (COVID-Net: its stem; 48 gives the published size). */
export const DEFAULT_BASE_WIDTH: Record<Architecture, number> = { resnet18: 64, resnet50: 64, conv8: 96, covidnet: 48 }

/**
 * A run configuration's problems in words a person can act on, one per issue: "unknown setting "learningrate"",
 * "epochs: must be at least 1".
 */
export function describeConfigIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => `"${where ? `${where}.` : ''}${key}"`).join(', ')
      return `unknown setting${issue.keys.length > 1 ? 's' : ''} ${keys} (check the spelling; see the run configuration's documented settings)`
    }
    return `${where || '(the configuration)'}: ${issue.message}`
  })
}
