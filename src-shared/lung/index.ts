/**
 * Lung segmentation maths as pure functions (no Node, DOM or tfjs): binary masks, overlap measures,
 * post-processing of a network's probability map into the paper's blurred lung mask (Sec. III-B), QA features,
 * paired augmentation and the model card's schema.
 */
export * from './binaryMask'
export * from './threshold'
export * from './overlap'
export * from './components'
export * from './postprocess'
export * from './features'
export * from './augment'
export * from './modelCard'
export * from './fingerprint'
export * from './service'
