import { AsyncLocalStorage } from 'node:async_hooks';

/** Who a model call is for and which task it belongs to, carried through async code by AsyncLocalStorage. */
export interface Attribution {
  customer?: string;
  feature?: string;
  sessionId?: string;
  traceId?: string;
  /** Default: a fresh UUIDv7 for each run of the task. */
  taskId?: string;
  metadata?: Record<string, string>;
}

export interface TaskContext extends Required<Pick<Attribution, 'taskId'>>, Omit<Attribution, 'taskId'> {
  taskName: string;
  /** Failed calls of this task by call fingerprint, so a repeat is marked `retry_of`. */
  failures: Map<string, string>;
}

const storage = new AsyncLocalStorage<TaskContext>();

export function currentTask(): TaskContext | undefined {
  return storage.getStore();
}

/** Runs fn as a task; a nested task inherits the attribution it does not override. */
export function runTask<T>(context: TaskContext, fn: () => T): T {
  return storage.run(context, fn);
}
