import type { ConnectionOptions } from 'bullmq';

// Queue names shared by the api (producer) and the worker. Their prefix (QUEUE_PREFIX, default "{tollgate}")
// is a Redis Cluster hash tag, so each queue's keys land on one slot when BullMQ runs on a cluster.
export const QUEUES = {
  price: 'price',
  rates: 'rates',
  sweep: 'sweep',
  webhooks: 'webhooks',
  billing: 'billing',
  stripe: 'stripe',
  simulations: 'simulations',
} as const;

/** BullMQ connection options for REDIS_URL. */
export function bullConnection(redisUrl: string, extra: Record<string, unknown> = {}): ConnectionOptions {
  return { url: redisUrl, ...extra };
}
