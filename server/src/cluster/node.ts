/**
 * This process as a node of a cluster (scale-out: web and worker nodes on one PostgreSQL):
 * its id, role and egress tags. Leases, slots and events name the node that holds or sent
 * them by this id.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Role } from '../config.js';

export interface ClusterNode {
  /** Unique per process start: host name, PID and a random part. */
  readonly id: string;
  readonly role: Role;
  /** The egress tags this node announces (PASV_EGRESS_TAGS): sites pinned to a tag run only here. */
  readonly tags: readonly string[];
}

export function clusterNode(role: Role, tags: readonly string[]): ClusterNode {
  return { id: `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`, role, tags };
}
