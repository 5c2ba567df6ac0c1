// What a CLI command is: its usage line, the options it reads, and what it does with the domain. A
// command parses text into values and calls the domain; every rule (who may, what is valid) is the
// domain's, so the CLI can do nothing the API would refuse.
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../api/config';
import type { Actor, Ctx } from '../api/domain/context';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

export interface Io {
  /** A line for the operator (results). */
  out(line: string): void;
  /** A line about the run (notes, progress, errors). */
  err(line: string): void;
  /** Where bulk output (a CSV export) is streamed when no --out file is given. */
  stdout: NodeJS.WritableStream;
}

export interface Run {
  ctx: Ctx;
  /** The super_admin the change is recorded under (--as, or the oldest super_admin). */
  operator(): Promise<Actor>;
  /** Positionals after the group and command. */
  args: string[];
  values: Values;
  io: Io;
}

export interface Command {
  usage: string;
  standalone?: false;
  run(r: Run): Promise<void>;
}

/**
 * A command that manages the database itself instead of running on an open one (backup, restore, moving
 * to Postgres): it gets the configuration, and opens what it needs, when it may.
 */
export interface StandaloneCommand {
  usage: string;
  standalone: true;
  run(r: Omit<Run, 'ctx' | 'operator'> & { config: Config }): Promise<void>;
}

/** A command group (`users`, `tokens`, ...): its commands and the options they read. */
export interface CommandGroup {
  options: Options;
  /** By second word; a group that is one command (`backup`) has it under ''. */
  commands: Record<string, Command | StandaloneCommand>;
}

/** A check that ran and found a problem (e.g. a broken audit trail): exit 1, having said why. */
export class VerdictError extends Error {}

/** Wrong use of the CLI itself (a missing argument, an unknown command): exit 2 with the help text. */
export class UsageError extends Error {}

export const text = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);

/** A whole number from an option's text; the domain checks its range. */
export function int(v: Values[string], name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
}

export function printTable(rows: string[][], out: (line: string) => void) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}
