/**
 * `npm run demo:cluster`: pasv as a cluster on one machine. A throwaway PostgreSQL, the two
 * sample FTP servers, two web nodes and three workers (one with the egress tag eu-1), each
 * node a child process of the real server with its own data dir, all in one temp dir that
 * goes away with Ctrl-C. Honours PASV_PORT (the first web node; the second takes the next
 * port, or any free one), PASV_HOST and PASV_PASSWORD.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startPostgres, type LocalPostgres } from './postgres.js';
import { describeSampleServers, startSampleServers, type SampleServers } from './sample-servers.js';

/** The server entry beside this file: main.js when built, main.ts under tsx (the test). */
const SERVER_ENTRY = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  import.meta.url.endsWith('.ts') ? 'main.ts' : 'main.js',
);
const READY_TIMEOUT_MS = 90_000;
// Long enough for a worker to hand back its files (main.ts drains on SIGTERM).
const STOP_TIMEOUT_MS = 15_000;

interface NodeSpec {
  name: string;
  role: 'web' | 'worker';
  port: number;
  egressTags: string[];
}

interface ClusterNode extends NodeSpec {
  pid: number;
  /** Where it listens (web nodes), '' for workers. */
  url: string;
  stop(): Promise<void>;
  kill(): void;
}

let stopping = false;
const liveNodes = new Set<ClusterNode>();
/** Undone in reverse order on the way out. */
const teardown: { what: string; node?: true; undo: () => Promise<void> | void }[] = [];

const say = (line: string): void => console.log(`[cluster] ${line}`);

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * A node of the real server as a child process, its output prefixed with its name. Resolves
 * once it listens (web) or says it runs (worker); rejects if it exits first.
 */
async function startNode(spec: NodeSpec, env: NodeJS.ProcessEnv): Promise<ClusterNode> {
  // Its own process group: Ctrl-C reaches the demo alone, which stops each node once, by PID
  // (a second signal makes a node skip its drain).
  const child = spawn(process.execPath, [...process.execArgv, SERVER_ENTRY], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', reject);
  });
  let exitStatus: string | undefined;
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, sig) => resolve((exitStatus = sig ? `signal ${sig}` : `code ${code}`))),
  );
  let stopRequest: Promise<void> | undefined;
  const node: ClusterNode = {
    ...spec,
    pid,
    url: '',
    stop: () =>
      (stopRequest ??= (async () => {
        if (exitStatus !== undefined) return;
        signal(pid, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS)));
        if ((await Promise.race([exited, late])) === 'late') {
          say(`${spec.name} (PID ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s: SIGKILL`);
          signal(pid, 'SIGKILL');
          await exited;
        }
        clearTimeout(timer);
      })()),
    kill: () => signal(pid, 'SIGKILL'),
  };
  liveNodes.add(node);
  void exited.then(() => liveNodes.delete(node));
  teardown.push({ what: spec.name, node: true, undo: () => node.stop() });
  if (stopping) void node.stop();

  let onReady: ((url: string) => void) | undefined;
  const ready = new Promise<string>((resolve) => (onReady = resolve));
  const prefix = `[${spec.name}] `;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    process.stdout.write(`${prefix}${line}\n`);
    const match = /pasv is listening on (http:\/\/\S+)|pasv worker is running/.exec(line);
    if (match) onReady?.(match[1] ?? '');
  });
  createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`${prefix}${line}\n`));

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then((url) => ({ url })),
    exited.then((status) => ({ error: `${spec.name} exited (${status}) before it was ready; its output is above` })),
    new Promise<{ error: string }>((resolve) => {
      timer = setTimeout(
        () => resolve({ error: `${spec.name} not ready within ${READY_TIMEOUT_MS / 1000} s` }),
        READY_TIMEOUT_MS,
      );
    }),
  ]);
  clearTimeout(timer);
  if ('error' in outcome) {
    await node.stop();
    throw new Error(outcome.error);
  }
  node.url = outcome.url;
  void exited.then((status) => {
    // One node down is what a cluster is for: say which, and keep the others running.
    if (!stopping) say(`${spec.name} (PID ${pid}) exited unexpectedly (${status}); the other nodes keep running`);
  });
  return node;
}

/** `port` when nothing listens there, else 0 (the node takes any free one). */
function portOrAny(host: string, port: number): Promise<number> {
  if (port === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(0));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(port)));
  });
}

/** Signs in on a web node like a browser would and registers the sample servers as sites. */
async function registerSites(url: string, password: string, samples: SampleServers): Promise<void> {
  const session = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  if (session.status !== 204) throw new Error(`sign-in on ${url}: ${session.status} ${await session.text()}`);
  const cookie = session.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  for (const { name, server } of samples.servers) {
    const response = await fetch(`${url}/api/sites`, {
      method: 'POST',
      headers: { cookie, 'x-requested-with': 'pasv', 'content-type': 'application/json' },
      body: JSON.stringify({ name, host: server.host, port: server.port, ...samples.login }),
    });
    if (response.status !== 201)
      throw new Error(`registering site ${name}: ${response.status} ${await response.text()}`);
  }
}

async function startCluster(): Promise<void> {
  const host = process.env.PASV_HOST ?? '127.0.0.1';
  const port = Number(process.env.PASV_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PASV_PORT must be a port number, not ${process.env.PASV_PORT}`);
  }
  const password = process.env.PASV_PASSWORD || crypto.randomBytes(12).toString('base64url');
  const abortIfStopping = (): void => {
    if (stopping) throw new Error('stopped while starting');
  };

  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-cluster-'));
  teardown.push({ what: tempDir, undo: () => fs.rmSync(tempDir, { recursive: true, force: true }) });
  say(`files in ${tempDir} (removed on exit)`);

  let postgresStarted = false;
  say('starting PostgreSQL');
  const postgres: LocalPostgres = await startPostgres({
    // initdb's chatter only matters when it fails, and then startPostgres reports it.
    log: (line) => postgresStarted && console.log(`[postgres] ${line}`),
  });
  postgresStarted = true;
  teardown.push({ what: 'PostgreSQL', undo: () => postgres.stop() });
  abortIfStopping();

  const samples = await startSampleServers(path.join(tempDir, 'ftp'));
  teardown.push({ what: 'FTP servers', undo: () => samples.close() });
  abortIfStopping();

  const keyFile = path.join(tempDir, 'master.key');
  fs.writeFileSync(keyFile, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });

  const envFor = (spec: NodeSpec): NodeJS.ProcessEnv => {
    const dataDir = path.join(tempDir, spec.name);
    fs.mkdirSync(dataDir, { mode: 0o700 });
    return {
      ...process.env,
      PASV_ROLE: spec.role,
      PASV_DATABASE_URL: postgres.url,
      // PASV_MASTER_KEY would win over the file: every node must have this run's key.
      PASV_MASTER_KEY: '',
      PASV_MASTER_KEY_FILE: keyFile,
      PASV_EGRESS_TAGS: spec.egressTags.join(','),
      PASV_HOST: host,
      PASV_PORT: String(spec.port),
      PASV_DATA_DIR: dataDir,
      PASV_PASSWORD: password,
    };
  };
  const launch = (spec: NodeSpec): Promise<ClusterNode> => startNode(spec, envFor(spec));

  // The first node migrates the empty database alone; the others start on its schema.
  const web1 = await launch({ name: 'web-1', role: 'web', port, egressTags: [] });
  abortIfStopping();
  const web2Port = await portOrAny(host, port === 0 ? 0 : port + 1);
  const others = await Promise.allSettled([
    launch({ name: 'web-2', role: 'web', port: web2Port, egressTags: [] }),
    launch({ name: 'worker-1', role: 'worker', port: 0, egressTags: [] }),
    launch({ name: 'worker-2', role: 'worker', port: 0, egressTags: [] }),
    launch({ name: 'worker-3', role: 'worker', port: 0, egressTags: ['eu-1'] }),
  ]);
  const failed = others.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  abortIfStopping();
  const [web2, ...workers] = others.map((result) => (result as PromiseFulfilledResult<ClusterNode>).value) as [
    ClusterNode,
    ...ClusterNode[],
  ];

  await registerSites(web1.url, password, samples);
  abortIfStopping();

  const lines = [
    'pasv cluster demo is running:',
    ...[web1, web2].map((web) => `  ${web.name.padEnd(10)} ${web.url}  PID ${web.pid}`),
    ...workers.map(
      (worker) =>
        `  ${worker.name.padEnd(10)} PID ${worker.pid}  egress tags: ${worker.egressTags.join(',') || 'none'}`,
    ),
    `  PostgreSQL ${postgres.url}  PID ${postgres.pid}  data in ${postgres.dataDir}`,
    ...describeSampleServers(samples),
    `open ${web1.url} or ${web2.url} and sign in with ${process.env.PASV_PASSWORD ? 'PASV_PASSWORD' : `the password ${password}`}`,
    'Ctrl-C stops everything',
  ];
  console.log(lines.join('\n'));
}

/** Undoes everything started so far, newest first; what fails to stop is reported, the rest still stops. */
async function stopAll(): Promise<void> {
  // Nodes first and together: workers hand back their files while PostgreSQL is still up.
  const nodes = teardown.filter((step) => step.node);
  const rest = teardown.filter((step) => !step.node);
  teardown.length = 0;
  const run = async (step: (typeof teardown)[number]): Promise<void> => {
    try {
      await step.undo();
    } catch (error) {
      say(`stopping ${step.what}: ${(error as Error).message}`);
    }
  };
  await Promise.all(nodes.map(run));
  for (const step of rest.reverse()) await run(step);
}

let shutdown: Promise<void> | undefined;
let shutdownAt = 0;

function exit(code: number): void {
  shutdown ??= (async () => {
    stopping = true;
    shutdownAt = Date.now();
    await stopAll();
    // Whatever startup was waiting on when the signal came registers itself, then gives up.
    await startup.catch(() => undefined);
    await stopAll();
    say('stopped the nodes, the FTP servers and PostgreSQL; removed the temp files');
    process.exit(code);
  })();
}

for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    if (shutdown) {
      // A wrapper (npm, a terminal multiplexer) may pass on the Ctrl-C that also reached us.
      if (Date.now() - shutdownAt < 1_000) return;
      say(`${name} again: killing the nodes`);
      for (const node of liveNodes) node.kill();
      return;
    }
    say(`${name}: stopping the nodes, the FTP servers and PostgreSQL`);
    exit(0);
  });
}
// If this process dies anyway, the nodes (in their own process groups) must not outlive it.
process.once('exit', () => {
  for (const node of liveNodes) node.kill();
});

const startup = startCluster();
startup.catch((error: unknown) => {
  if (stopping) return;
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
  exit(1);
});
