/** React Query keys for API tokens; the tokens page prefetches with the same keys the hooks read. */
export const tokenKeys = {
  all: ["api-tokens"] as const,
  lists: () => [...tokenKeys.all, "list"] as const,
  list: () => [...tokenKeys.lists(), {}] as const,
};

/** Rows per page on the tokens page. */
export const TOKENS_PAGE_SIZE = 50;
