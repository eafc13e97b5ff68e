import { UnsafeArgumentError } from './errors.js';

const VERB = /^[A-Z]{3,4}$/;
const UNSAFE_CHAR = /[\r\n\0]/;

/**
 * Rejects CR, LF and NUL: any of them inside an argument would let a remote name
 * or a user's input end the command early and inject another one.
 */
export function assertSafeArgument(arg: string): void {
  if (UNSAFE_CHAR.test(arg)) {
    throw new UnsafeArgumentError(`Unsafe character in FTP argument ${JSON.stringify(arg.slice(0, 80))}`);
  }
}

/** The exact bytes to write on the control connection for one command. */
export function formatCommand(verb: string, arg?: string): string {
  if (!VERB.test(verb)) {
    throw new UnsafeArgumentError(`Not an FTP command verb: ${JSON.stringify(verb.slice(0, 20))}`);
  }
  // "VERB \r\n" means something different from "VERB\r\n" to some servers (an empty
  // argument): an empty string is taken as no argument at all.
  if (arg === undefined || arg === '') return `${verb}\r\n`;
  assertSafeArgument(arg);
  return `${verb} ${arg}\r\n`;
}

// Line-anchored so a multi-line string cannot smuggle an unmasked PASS after its first line.
const SECRET_COMMAND = /^([ \t]*)(pass|acct)\b[^\r\n]*/gim;

/** A command line as it may appear in a log: the argument of PASS and ACCT is hidden. */
export function maskCommand(line: string): string {
  const trimmed = line.replace(/\r?\n$/, '');
  return trimmed.replace(SECRET_COMMAND, (_match, indent: string, verb: string) => `${indent}${verb} ****`);
}
