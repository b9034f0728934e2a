import { spawnNode, type ProcessNode } from './process-node.js';
import { startPostgres, startRedis, type PostgresService, type RedisService } from './services.js';

export interface ClusterNodeSpec {
  readonly id: string;
  readonly roles: string;
}

/** Real processes on real Redis + PostgreSQL: the failover test bed. */
export class LocalCluster {
  readonly nodes = new Map<string, ProcessNode>();
  pg!: PostgresService;
  redis!: RedisService;

  async startServices(): Promise<void> {
    [this.pg, this.redis] = await Promise.all([startPostgres(), startRedis()]);
  }

  env(id: string, roles: string): Record<string, string> {
    return {
      XINBOX_STORAGE: 'postgres',
      XINBOX_POSTGRES_URL: this.pg.url,
      XINBOX_REDIS_URL: this.redis.url,
      XINBOX_TOKEN_SECRET: 'local-cluster-secret-0123456789',
      XINBOX_NODE_ID: id,
      XINBOX_ROLES: roles,
      XINBOX_MEMBERSHIP_TTL_MS: '2000',
      XINBOX_RATE_LIMITS: 'false',
      XINBOX_DATA_DIR: '/tmp',
      // Every node runs on this machine: one directory is a shared media store.
      XINBOX_MEDIA_DIR: '/tmp/xinbox-local-cluster-media',
    };
  }

  async start(spec: ClusterNodeSpec): Promise<ProcessNode> {
    const node = await spawnNode(this.env(spec.id, spec.roles));
    this.nodes.set(spec.id, node);
    return node;
  }

  node(id: string): ProcessNode {
    return this.nodes.get(id)!;
  }

  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.nodes.get(id)?.kill(signal);
    this.nodes.delete(id);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.keys()].map((id) => this.kill(id, 'SIGKILL')));
    await Promise.allSettled([this.redis?.stop(), this.pg?.stop()]);
  }
}
