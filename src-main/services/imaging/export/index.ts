/**
 * Writing what the imaging service decoded: PNG for display and network inputs, PGM/PPM for stored
 * values, JSON metadata without PHI, and reading lung masks back in.
 */
export * from './pgm'
export * from './png'
export * from './mask'
export * from './metadata'
