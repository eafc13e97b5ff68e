/**
 * The floor (floor.ts) as a controller process of its own, so that its wall and CPU time
 * are its own process's, logins included, as lftp's are. Runs bundled (see bundle.ts).
 * Input: one JSON argument (FloorInput); output: one JSON line (FloorChildOutput) on stdout.
 */
import { floorCopy, type FloorInput } from './floor.js';

export interface FloorChildOutput {
  /** From before the first connect to the last 226: node's own start-up is not the protocol's. */
  wallMs: number;
  userMs: number;
  sysMs: number;
  /** When every pair was logged in, ms after the start. */
  loginMs: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as FloorInput;
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  const { loginMs } = await floorCopy(input);
  const wallMs = performance.now() - startedAt;
  const used = process.cpuUsage(cpu);
  const output: FloorChildOutput = { wallMs, userMs: used.user / 1000, sysMs: used.system / 1000, loginMs };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
