/**
 * The paper's pre-processing chain (Sec. III-B) as pure functions over grey float
 * images: no Node, DOM or Electron imports, so the main process and the renderer
 * share them.
 */
export * from './greyImage'
export * from './borderIndex'
export * from './gaussianKernel'
export * from './extendedBoxRadius'
export * from './extendedBoxBlur'
export * from './gaussianBlur'
export * from './histogramEqualize'
export * from './clahe'
export * from './applyMask'
export * from './percentiles'
export * from './normalizeIntensity'
export * from './resize'
export * from './centerCrop'
export * from './preprocessChain'
