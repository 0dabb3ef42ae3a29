import { SetMetadata } from '@nestjs/common';
import type { Scope } from '@tollgate/db';

export const SCOPES = 'tollgate:scopes';
/** Scopes that may call a route. Admin may call everything; a route without @Scopes is public. */
export const Scopes = (...scopes: Scope[]) => SetMetadata(SCOPES, scopes);
