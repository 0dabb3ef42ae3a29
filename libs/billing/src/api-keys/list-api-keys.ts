import { Injectable } from '@nestjs/common';
import { ApiKeyRow, ApiKeysRepository } from '@tollgate/db';

export interface ListApiKeysQuery {
  organizationId: string;
  /** The last key of the previous page. */
  afterId: string | null;
  limit: number;
}

/** The organisation's keys that still work (a rotated one until its grace ends), oldest first. Never a key's secret: it is not stored. */
@Injectable()
export class ListApiKeys {
  constructor(private readonly keys: ApiKeysRepository) {}

  async execute({ organizationId, afterId, limit }: ListApiKeysQuery): Promise<{ keys: ApiKeyRow[]; nextAfter: string | null }> {
    const rows = await this.keys.listActive(organizationId, afterId, limit + 1);
    const page = rows.slice(0, limit);
    return { keys: page, nextAfter: rows.length > limit ? page[page.length - 1].id : null };
  }
}
