/**
 * Parses JSON text from a file or a request. A syntax error says where it is (line and column), never what the
 * text says: engines quote the start of the text in their messages (`Unexpected token 'r', "root:x:0:0:"... is
 * not valid JSON`), and an error message must not carry a file's content into logs and dialogs.
 * @param text the JSON text.
 * @param what how to name the text in the message ("The composition file", "spec.json").
 * @throws Error `${what} is not valid JSON (line L, column C)`.
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new Error(`${what} is not valid JSON${whereJsonFails(text, (error as Error).message)}`)
  }
}

function whereJsonFails(text: string, engineMessage: string): string {
  if (/end of JSON input/i.test(engineMessage)) return ' (it ends before the JSON is complete)'
  const position = /position (\d+)/.exec(engineMessage)
  // Without a position the engine stopped at the first character that cannot start a JSON value.
  const offset = position ? Number(position[1]) : text.length - text.trimStart().length
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return ` (line ${line}, column ${column})`
}
