// Exit codes scripts can rely on: 0 the operation is done (or the command did what it was asked), 1 it failed
// (a Failed or Skipped OpsRequest, a refused request, an API error), 2 the command was used wrongly.
export const exitCodes = { done: 0, failed: 1, usage: 2 } as const;

/** Wrong use of a command: a flag's value, a file that is not an OpsRequest. Exits 2. */
export class UsageError extends Error {}

/** The command ran and the outcome is a failure; its message is the explanation. Exits 1. */
export class Failure extends Error {}
