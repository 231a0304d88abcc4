import type { Interceptor } from "@connectrpc/connect";
import type { Store } from "../store/store.js";

/**
 * No answer, success or error, leaves before the writes it may reflect are committed: writes
 * share group commits (store/sqlite/group-commit.ts), and a call may have read another call's write.
 */
export function durableAnswersInterceptor(store: Store): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } finally {
      await store.durable();
    }
  };
}
