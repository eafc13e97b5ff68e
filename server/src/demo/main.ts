/**
 * `npm run demo`: the dashboard with two embedded FTP servers ("alpha" and "beta") holding
 * sample files, both registered as sites, so an FXP transfer works out of the box. No root
 * and no system package needed. Honours PASV_PORT, PASV_PASSWORD and PASV_DATA_DIR.
 */
import path from 'node:path';
import { readConfig } from '../config.js';
import { start } from '../main.js';
import { describeSampleServers, startSampleServers } from './sample-servers.js';

async function main(): Promise<void> {
  const config = readConfig();
  const samples = await startSampleServers(path.join(config.dataDir, 'demo'));
  const { servers, login } = samples;

  const { url } = await start(config, async (app) => {
    const { sites } = app.services;
    for (const { name, server } of servers) {
      const fields = { host: server.host, port: server.port, user: login.user, password: login.password };
      const existing = sites.list().find((site) => site.name === name);
      const site = existing ? await sites.update(existing.id, fields) : await sites.create({ name, ...fields });
      sites.markDemo(site.id, login);
    }
    app.addHook('onClose', () => samples.close());
  });
  for (const line of describeSampleServers(samples)) console.log(line);
  console.log(`open ${url} and sign in${config.password ? ' with PASV_PASSWORD' : ''}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
