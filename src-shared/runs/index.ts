/** The training-runs contract: configuration, records, events and the service interface. */
export * from './config'
export * from './record'
export * from './events'
export * from './service'
export * from './tableIV'
