// What the CLI shares between commands: usage errors and colour.

/** A mistake on the command line: exit code 2 and a pointer to --help. */
export class UsageError extends Error {}

export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && process.env.NO_COLOR === undefined;
}
