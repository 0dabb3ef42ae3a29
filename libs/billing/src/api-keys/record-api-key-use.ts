import { Injectable } from '@nestjs/common';
import { ApiKeysRepository } from '@tollgate/db';

/** Stores when keys were last used (the api notes it at most once a minute per key, and writes them in one go). */
@Injectable()
export class RecordApiKeyUse {
  constructor(private readonly keys: ApiKeysRepository) {}

  execute({ used }: { used: ReadonlyMap<string, Date> }): Promise<void> {
    return this.keys.recordUse([...used.keys()], [...used.values()]);
  }
}
