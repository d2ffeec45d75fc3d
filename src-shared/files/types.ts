import { z } from 'zod'

/** Ask for the entries of a folder; without a path, the user's home folder. */
export const ListFolderRequestSchema = z
  .object({ path: z.string().min(1).max(4096).optional(), showHidden: z.boolean().default(false) })
  .strict()

/** One entry of a folder listing. */
export const FolderEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['folder', 'file']),
  /** Bytes, for files. */
  size: z.number().optional(),
  /** A radiograph or a table the importer can read, judged by extension. */
  role: z.enum(['image', 'dicom', 'table', 'other']).optional(),
})
export type FolderEntry = z.infer<typeof FolderEntrySchema>

/**
 * Whether the listed folder can be chosen: with a single-use ticket for the confirmation step, or the plain
 * reason it cannot (the whole disk, a system folder, the home folder itself...).
 */
export const FolderGrantSchema = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(true), ticket: z.string(), alreadyGranted: z.boolean() }),
  z.object({ allowed: z.literal(false), reason: z.string() }),
])
export type FolderGrant = z.infer<typeof FolderGrantSchema>

/** A folder's entries, folders first, as the built-in folder picker shows them. */
export const FolderListingSchema = z.object({
  /** The folder's real path (symbolic links resolved). */
  path: z.string(),
  /** The folder above, when the picker may show it. */
  parent: z.string().nullable(),
  entries: z.array(FolderEntrySchema),
  /** Entries left out because the folder is very large. */
  truncated: z.number(),
  grant: FolderGrantSchema,
  /** Where the picker may browse: the home folder and the folders the app was started with. */
  roots: z.array(z.string()),
})
export type FolderListing = z.infer<typeof FolderListingSchema>

/**
 * The confirmation step of the built-in picker (browser mode): grant the folder the picker listed, with the
 * ticket that listing carried. Imports and reads are allowed only inside granted folders.
 */
export const GrantFolderRequestSchema = z.object({ path: z.string().min(1).max(4096), ticket: z.string().min(1).max(100) }).strict()

/** The desktop app's folder choice: the system's own folder dialog, shown by the main process. */
export const ChooseFolderRequestSchema = z.object({ title: z.string().max(200).optional() }).strict()

/** What the user chose in the system's folder dialog (null when they cancelled), and the granted folders. */
export const ChosenFolderSchema = z.object({ folder: z.string().nullable(), granted: z.array(z.string()) })
export type ChosenFolder = z.infer<typeof ChosenFolderSchema>

/** The folders the user has granted, most recent first. */
export const GrantedFoldersSchema = z.array(z.string())
