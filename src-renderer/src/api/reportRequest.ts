/**
 * The one choice the pages offer for a report: with or without its slow figures (each model's t-SNE map and its
 * Grad-CAM examples), and the busy line that says which kind is being written.
 */

/** The report request's figure switches: both slow figures, or neither. */
export function reportFigures(withSlowFigures: boolean): { bias: boolean; gradCam: boolean } {
  return { bias: withSlowFigures, gradCam: withSlowFigures }
}

/** "Writing the report…", or the slower kind named as such, since it can take minutes. */
export function reportBusyLabel(what: string, withSlowFigures: boolean): string {
  return withSlowFigures ? `${what} with t-SNE maps and Grad-CAM examples (slower: every model looks at its test images again)…` : `${what}…`
}
