/**
 * The local dataset library of the main process: the SQLite database (schema, migrations, repositories), the
 * content-addressed cache (thumbnails, derived masks) and the `LibraryService` that imports run through.
 * The composition root passes the imaging service's decoder: `createLibraryService({ dataFolder, decode })`.
 */
export { createLibraryService } from './libraryService'
export type { LibraryServiceDeps } from './libraryService'
export { openLibraryDatabase, LIBRARY_DATABASE_FILE } from './database'
export { migrate, schemaVersion, LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations'
export { hashFile, hashBytes } from './hashing'
export { createThumbnailCache, THUMBNAIL_SIZE } from './thumbnails'
export type { ThumbnailCache } from './thumbnails'
