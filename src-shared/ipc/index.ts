export * from './contract'
export * from './envelope'
export type { CxrBridge } from './bridgeApi'
