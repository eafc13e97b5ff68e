/**
 * Credentials at rest: AES-256-GCM under a master key kept in a 0600 file beside the
 * database. The caller binds additional data (sites: id, host, port and user), so a
 * ciphertext copied onto another site's row, or left on a row that now points elsewhere,
 * does not decrypt.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, narrowIfPresent, PRIVATE_FILE_MODE } from '../store/private-files.js';

const KEY_FILE = 'master.key';
const VERSION = 'v1';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * The key a cluster's nodes are given (base64, or a file holding it), else the one beside the
   * SQLite database, created (0600) on first start.
   */
  static load(config: { dataDir: string; masterKey?: string; masterKeyFile?: string }): SecretBox {
    if (config.masterKey) return SecretBox.fromBase64(config.masterKey, 'PASV_MASTER_KEY');
    if (config.masterKeyFile) {
      return SecretBox.fromBase64(fs.readFileSync(config.masterKeyFile, 'utf8'), config.masterKeyFile);
    }
    return SecretBox.open(config.dataDir);
  }

  private static fromBase64(text: string, from: string): SecretBox {
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32) throw new Error(`${from} does not hold a 256-bit key (base64 of 32 bytes)`);
    return new SecretBox(key);
  }

  /** Load the master key, creating it (0600) on first start. */
  static open(dataDir: string): SecretBox {
    ensurePrivateDir(dataDir);
    const file = path.join(dataDir, KEY_FILE);
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      narrowIfPresent(file);
    }
    return SecretBox.fromBase64(fs.readFileSync(file, 'utf8'), file);
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  open(sealed: string, associatedData: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('unreadable sealed secret');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}
