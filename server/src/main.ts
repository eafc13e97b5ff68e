/** Read the configuration, build the app, listen, and close gracefully on signals. */
import { buildApp, type App } from './app.js';
import { readConfig } from './config.js';

/** `setup` runs after the app is built and before it listens (the demo registers its sites). */
export async function start(config = readConfig(), setup?: (app: App) => Promise<void>) {
  const app = await buildApp(config);
  await setup?.(app);
  if (config.role === 'worker') {
    // A worker serves no API: it takes work from the job queue.
    await app.ready();
    console.log(`pasv worker is running (egress tags: ${config.egressTags.join(', ') || 'none'})`);
    handleSignals(app);
    return { app, url: '' };
  }
  await app.listen({ host: config.host, port: config.port });
  const { generatedPassword } = app.services.auth;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  console.log(`pasv is listening on ${url}`);
  if (generatedPassword) {
    console.log(`first start: the admin password is ${generatedPassword} (shown once; set PASV_PASSWORD to choose one)`);
  }
  handleSignals(app);
  return { app, url };
}

/** SIGINT and SIGTERM drain: running copies stop and are queued again (to resume), sessions close. */
function handleSignals(app: App): void {
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) process.exit(1);
      closing = true;
      app.log.info(`${signal}: stopping transfers and closing sessions`);
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error(error);
          process.exit(1);
        },
      );
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  start().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
