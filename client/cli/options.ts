// Flags several commands share, and printing objects as -o json|yaml asks.
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { UsageError } from './errors.ts';
import { defaultKind } from './kinds.ts';

export interface TargetOptions {
  namespace?: string;
  kind?: string;
}

export interface OutputOptions {
  output?: 'json' | 'yaml' | 'text';
}

/** -n and --kind; `fromFile`: the kind comes from the file, --kind only where the file has none. */
export const withTarget = (cmd: Command, { fromFile = false } = {}) =>
  cmd
    .option('-n, --namespace <namespace>', "the OpsRequest's namespace (default: the kubeconfig context's, else default)")
    .option(
      '--kind <kind>',
      fromFile ? `the OpsRequest kind when the file does not say (default: ${defaultKind})` : 'the OpsRequest kind, or its short name (myops, pxcops, prxops, ppops)',
      ...(fromFile ? [] : [defaultKind]),
    );

export const withOutput = (cmd: Command) => cmd.addOption(new Option('-o, --output <format>', 'print the object instead of text').choices(['text', 'json', 'yaml']));

/** Prints `value` as asked; returns false for text output (the caller prints its own). */
export function printObject(value: unknown, o: OutputOptions): boolean {
  if (o.output === 'json') process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else if (o.output === 'yaml') process.stdout.write(stringify(value));
  else return false;
  return true;
}

/** A duration flag (Go syntax, as in spec.timeout) or a date, as milliseconds ago / a Date. */
export function parseSince(text: string): Date {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (m) return new Date(Date.now() - Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's']);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--since ${text}: give a duration (30m, 2h, 7d) or a date (2026-01-31, 2026-01-31T12:00:00Z)`);
  return d;
}
