export * from './contract'
export * from './envelope'
export * from './binaryFrames'
export type { CxrBridge } from './bridgeApi'
