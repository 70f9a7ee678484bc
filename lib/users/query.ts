/** React Query keys for users; the users page prefetches with the same keys the hooks read. */
export const userKeys = {
  all: ["users"] as const,
  lists: () => [...userKeys.all, "list"] as const,
  list: () => [...userKeys.lists(), {}] as const,
};

/** Rows per page on the users page. */
export const USERS_PAGE_SIZE = 50;
