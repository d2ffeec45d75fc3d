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

/** A folder's entries, folders first, as the built-in folder picker shows them. */
export const FolderListingSchema = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  entries: z.array(FolderEntrySchema),
  /** Entries left out because the folder is very large. */
  truncated: z.number(),
})
export type FolderListing = z.infer<typeof FolderListingSchema>

/** Grant the app access to a folder the user chose: imports and reads are allowed only inside granted folders. */
export const GrantFolderRequestSchema = z.object({ path: z.string().min(1).max(4096) }).strict()

/** The folders the user has granted, most recent first. */
export const GrantedFoldersSchema = z.array(z.string())
